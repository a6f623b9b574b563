using Orchestrator.Cli.Api;

namespace Orchestrator.Cli.Planning;

/// <summary>What the server holds now, read in three calls before planning.</summary>
/// <param name="Webhooks">Read only when the files declare webhooks: listing them needs an admin key.</param>
internal sealed record ServerState(IReadOnlyList<EndpointDto> Endpoints, IReadOnlyList<GroupDto> Groups, IReadOnlyList<WindowDto> Windows, IReadOnlyList<WebhookDto>? Webhooks = null)
{
    /// <summary>Endpoints that an agent enrolled (or last re-registered) belong to the agent's lifecycle, not to the
    /// files: prune never deletes them.</summary>
    public const string AgentSource = "agent";

    public static async Task<ServerState> ReadAsync(OrchestratorClient client, CancellationToken ct, bool withWebhooks = false)
    {
        var endpoints = client.ListEndpointsAsync(ct);
        var groups = client.ListGroupsAsync(ct);
        var windows = client.ListWindowsAsync(ct);
        var webhooks = withWebhooks ? client.ListWebhooksAsync(ct) : Task.FromResult<IReadOnlyList<WebhookDto>>([]);
        return new ServerState(await endpoints, await groups, await windows, await webhooks);
    }
}
