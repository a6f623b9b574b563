using Orchestrator.Core.Endpoints;
using Orchestrator.Data.Agents;

namespace Orchestrator.Data.Storage;

/// <summary>The rows of the agent and enrollment-token tables as both backends read them. Settable properties rather than
/// constructors: Dapper converts a column's type through a setter (an integer column read as a smaller type on one
/// backend), where constructor matching needs the exact type.</summary>
internal static class AgentRows
{
    internal sealed class TokenRow
    {
        public long Id { get; init; }
        public string Name { get; init; } = "";
        public long SingleUse { get; init; }
        public long CreatedAt { get; init; }
        public long ExpiresAt { get; init; }
        public long? UsedAt { get; init; }
        public long Uses { get; init; }
        public long? RevokedAt { get; init; }
        public string? HostnamePattern { get; init; }
        public string? AddressCidrs { get; init; }
        public string GrantedTags { get; init; } = "[]";

        public EnrollmentTokenRecord ToRecord() => new(
            Id, Name, SingleUse != 0, UnixMs.To(CreatedAt), UnixMs.To(ExpiresAt), UnixMs.To(UsedAt), (int)Uses, UnixMs.To(RevokedAt),
            new EnrollmentScope(HostnamePattern, AddressCidrs is null ? null : Json.Read<string[]>(AddressCidrs), Json.Read<string[]>(GrantedTags)));
    }

    internal sealed class ExistingEndpointRow
    {
        public long Id { get; init; }
        public string Hostname { get; init; } = "";
        public string Source { get; init; } = "";
        public long? ReEnrollUntil { get; init; }
    }

    internal sealed class AgentRow
    {
        public string Id { get; init; } = "";
        public long EndpointId { get; init; }
        public string Hostname { get; init; } = "";
        public string SecretHash { get; init; } = "";
        public string AgentVersion { get; init; } = "";
        public long EnrolledAt { get; init; }
        public long? RotatedAt { get; init; }
        public long? RevokedAt { get; init; }
        public long? LastSeenAt { get; init; }
        public long? AppliedVersion { get; init; }
        public string? ApplyError { get; init; }

        public AgentRecord ToRecord() => new(
            Id, EndpointId, Hostname, SecretHash, AgentVersion, UnixMs.To(EnrolledAt), UnixMs.To(RotatedAt), UnixMs.To(RevokedAt),
            UnixMs.To(LastSeenAt), AppliedVersion, ApplyError);
    }
}
