using System.Text.Json.Serialization;

namespace Orchestrator.Protocol;

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Skip)]
public sealed record EnrollRequestV1(
    string Token,
    string Hostname,
    IReadOnlyList<string> Addresses,
    string Os,
    IReadOnlyList<string> Tags,
    string AgentVersion);

/// <summary>The credential is shown once; the server keeps only its hash.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Skip)]
public sealed record EnrollResponseV1(string AgentId, long EndpointId, string Secret);
