using Orchestrator.Cli.Api;

namespace Orchestrator.Cli.Planning;

/// <summary>What the server holds now, read in three calls before planning.</summary>
internal sealed record ServerState(IReadOnlyList<EndpointDto> Endpoints, IReadOnlyList<GroupDto> Groups, IReadOnlyList<WindowDto> Windows)
{
    /// <summary>Endpoints that an agent enrolled (or last re-registered) belong to the agent's lifecycle, not to the
    /// files: prune never deletes them.</summary>
    public const string AgentSource = "agent";

    public static async Task<ServerState> ReadAsync(OrchestratorClient client, CancellationToken ct)
    {
        var endpoints = client.ListEndpointsAsync(ct);
        var groups = client.ListGroupsAsync(ct);
        var windows = client.ListWindowsAsync(ct);
        return new ServerState(await endpoints, await groups, await windows);
    }
}
