using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Orchestrator.Agent;

/// <summary>Why the agent refused to start, written to standard error and to the host's loggers: under the Service
/// Control Manager standard error is lost, and the Windows host's event log provider puts it in the Application log.</summary>
internal static class StartupRefusal
{
    public const string Category = "Orchestrator.Agent.Startup";

    public static readonly EventId Refused = new(1000, "StartupRefused");

    public static async Task<int> ReportAsync(IServiceProvider services, string reason, int exitCode)
    {
        await Console.Error.WriteLineAsync("orchestrator-agent: " + reason);
        services.GetService<ILoggerFactory>()?.CreateLogger(Category)
            .LogCritical(Refused, "orchestrator-agent refused to start (exit code {ExitCode}): {Reason}", exitCode, reason);
        return exitCode;
    }
}
