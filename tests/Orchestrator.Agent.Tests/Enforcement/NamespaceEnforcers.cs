using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.Agent.Enforcement;
using Orchestrator.Agent.Identity;
using Orchestrator.Testing.Lab;

namespace Orchestrator.Agent.Tests.Enforcement;

/// <summary>The production enforcer, driving the real nft inside a lab host's namespace.</summary>
internal static class NamespaceEnforcers
{
    public static NftablesEnforcer For(NetworkLab lab, string host) => new(
        Runner(lab, host),
        [7680],
        new LocalAddresses([lab[host].Address.ToString()]),
        TimeProvider.System,
        NullLogger<NftablesEnforcer>.Instance);

    public static ProcessNftRunner Runner(NetworkLab lab, string host) =>
        new("ip", ["netns", "exec", lab[host].Namespace, LabPrerequisites.NftPath], TimeSpan.FromSeconds(20));
}
