using Orchestrator.Cli.Api;

namespace Orchestrator.Cli.Config;

/// <summary>An endpoint as a file declares it; the body is what would be sent.</summary>
internal sealed record EndpointSpec(EndpointBody Body, SpecSource Source)
{
    public string Key => Body.Hostname;
}

internal sealed record GroupSpec(GroupBody Body, SpecSource Source)
{
    public string Key => Body.Name;
}

/// <param name="SecretEnv">The environment variable that holds the signing secret when apply runs: files never hold it.</param>
internal sealed record WebhookFile(string Name, string Url, string? Format, IReadOnlyList<string> Events, string? SecretEnv, bool? Enabled);

internal sealed record WebhookSpec(WebhookFile Body, SpecSource Source)
{
    public string Key => Body.Name;
}

internal sealed record WindowSpec(WindowBody Body, SpecSource Source)
{
    public string Key => Body.Name ?? "";
}

/// <summary>Everything the files declare. <c>Declares*</c>: the kind's key appears in at least one file (even as an empty
/// list); only such kinds are pruned, so that a file with only windows never deletes the inventory.</summary>
internal sealed record SiteConfig(
    IReadOnlyList<EndpointSpec> Endpoints,
    IReadOnlyList<GroupSpec> Groups,
    IReadOnlyList<WindowSpec> Windows,
    bool DeclaresEndpoints,
    bool DeclaresGroups,
    bool DeclaresWindows,
    IReadOnlyList<string> Files,
    IReadOnlyList<WebhookSpec>? Webhooks = null,
    bool DeclaresWebhooks = false)
{
    public IReadOnlyList<WebhookSpec> WebhookSpecs => Webhooks ?? [];
}
