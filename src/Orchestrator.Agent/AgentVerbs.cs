using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Agent.Windows.Service;

namespace Orchestrator.Agent;

/// <summary>Verbs other than running: <c>uninstall</c> (Windows: restore the endpoint from its takeover record).</summary>
internal static class AgentVerbs
{
    public static async Task<int> UninstallAsync(IServiceProvider services)
    {
        if (services.GetService<WindowsUninstall>() is not { } uninstall)
        {
            await Console.Error.WriteLineAsync(
                "orchestrator-agent: uninstall restores a Windows endpoint from its takeover record; on Linux stop the agent and delete its nftables table (docs/design.md).");
            return ExitCodes.UninstallFailed;
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var (restored, message) = await uninstall.RunAsync(timeout.Token);
        await (restored ? Console.Out : Console.Error).WriteLineAsync("orchestrator-agent uninstall: " + message);
        return restored ? 0 : ExitCodes.UninstallFailed;
    }
}
