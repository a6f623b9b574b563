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
    IReadOnlyList<string> Files);
