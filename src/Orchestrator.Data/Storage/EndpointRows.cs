using Orchestrator.Data.Endpoints;

namespace Orchestrator.Data.Storage;

/// <summary>The rows of the endpoint tables as both backends read them: the PostgreSQL schema mirrors SQLite's columns and
/// types (docs/decisions.md, "The PostgreSQL schema mirrors SQLite's"), so the mapping to records is written once.</summary>
internal static class EndpointRows
{
    internal sealed record ExistingRow(long Id, string Hostname, string Tags, string Addresses);

    internal sealed record HolderRow(string Address, long Id, string Hostname);

    internal sealed record Row(
        long Id, string Hostname, string Addresses, string Os, string Tags, string Source, long CreatedAt, long UpdatedAt, long? LastSeenAt, long? ReEnrollableUntil)
    {
        public EndpointRecord ToRecord() => new(
            Id, Hostname, Json.Read<string[]>(Addresses), Os, Json.Read<string[]>(Tags), Source,
            UnixMs.To(CreatedAt), UnixMs.To(UpdatedAt), UnixMs.To(LastSeenAt), UnixMs.To(ReEnrollableUntil));
    }
}
