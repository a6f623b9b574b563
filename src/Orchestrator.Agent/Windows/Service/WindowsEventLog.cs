using System.Runtime.Versioning;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.EventLog;

namespace Orchestrator.Agent.Windows.Service;

/// <summary>The Application event log source the agent writes to: the service's name, so an administrator finds the
/// reason for a refused start (otherwise only "error 1053" from the Service Control Manager) under that source.</summary>
internal static class WindowsEventLog
{
    public const string LogName = "Application";

    [SupportedOSPlatform("windows")]
    public static IServiceCollection AddAgentEventLogSource(this IServiceCollection services, string serviceName) =>
        services.Configure<EventLogSettings>(settings =>
        {
            settings.SourceName = serviceName;
            settings.LogName = LogName;
        });
}
