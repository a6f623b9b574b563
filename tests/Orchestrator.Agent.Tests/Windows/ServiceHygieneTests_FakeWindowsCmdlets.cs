using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.EventLog;
using Microsoft.Extensions.Options;
using Orchestrator.Agent.Windows.Commands;
using Orchestrator.Agent.Windows.Service;

namespace Orchestrator.Agent.Tests.Windows;

/// <summary>
/// Service hygiene on Windows: a refused start is logged (Critical, event 1000) through the host's loggers, whose
/// Windows event log provider writes it under the service's name in the Application log; <c>uninstall</c> restores the
/// endpoint from its takeover record. The event log itself and the real cmdlets are verified only on a real host.
/// </summary>
public sealed class ServiceHygieneTests_FakeWindowsCmdlets : IDisposable
{
    private readonly WindowsBackend backend = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => backend.Dispose();

    [Fact]
    public async Task A_refused_start_reaches_the_loggers_as_a_critical_event_with_the_reason_and_exit_code()
    {
        var sink = new RecordingLoggerProvider();
        using var services = new ServiceCollection().AddLogging(l => l.AddProvider(sink)).BuildServiceProvider();

        var exitCode = await StartupRefusal.ReportAsync(services, "cannot enforce, refusing to run: Windows Firewall is off for the Public profile.", ExitCodes.FirewallUnavailable);

        Assert.Equal(ExitCodes.FirewallUnavailable, exitCode);
        var entry = Assert.Single(sink.Entries);
        Assert.Equal((StartupRefusal.Category, LogLevel.Critical, 1000), (entry.Category, entry.Level, entry.EventId));
        Assert.Contains("Windows Firewall is off for the Public profile.", entry.Message, StringComparison.Ordinal);
        Assert.Contains("exit code 3", entry.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_event_log_source_is_the_service_name_in_the_application_log()
    {
#pragma warning disable CA1416 // EventLogSettings is plain options here; only writing to the event log needs Windows.
        using var services = new ServiceCollection().AddAgentEventLogSource("OrchestratorAgent").BuildServiceProvider();
        var settings = services.GetRequiredService<IOptions<EventLogSettings>>().Value;

        Assert.Equal(("OrchestratorAgent", "Application"), (settings.SourceName, settings.LogName));
#pragma warning restore CA1416
    }

    [Fact]
    public async Task Uninstall_restores_the_rules_and_policy_from_the_takeover_record()
    {
        await backend.Enforcer.InstallClosedAsync(Ct);
        await backend.Enforcer.ApplyAsync([WindowsBackend.Opening(42, 3600, "198.18.0.2")], Ct);
        var uninstall = new WindowsUninstall(backend.Host, new PowerShell(WindowsBackend.System32), backend.Files, TimeSpan.FromMinutes(1), backend.Time);

        var (restored, message) = await uninstall.RunAsync(Ct);

        Assert.True(restored, message);
        Assert.Equal(["DeliveryOptimization-TCP-In", "DeliveryOptimization-UDP-In"], backend.Host.RuleNames);
        Assert.Equal("Allow 7680 True LocalSubnet", backend.Host.Rule("DeliveryOptimization-TCP-In"));
        Assert.Empty(backend.Host.TaskNames);
        Assert.Null(backend.Host.Policy);
    }

    [Fact]
    public async Task Uninstall_without_a_takeover_record_changes_nothing_and_says_so()
    {
        var uninstall = new WindowsUninstall(backend.Host, new PowerShell(WindowsBackend.System32), backend.Files, TimeSpan.FromMinutes(1), backend.Time);

        var (restored, message) = await uninstall.RunAsync(Ct);

        Assert.False(restored);
        Assert.Contains("no takeover record", message, StringComparison.Ordinal);
        Assert.Empty(backend.Host.Commands);
    }

    private sealed class RecordingLoggerProvider : ILoggerProvider
    {
        public List<(string Category, LogLevel Level, int EventId, string Message)> Entries { get; } = [];

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(RecordingLoggerProvider provider, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                provider.Entries.Add((category, logLevel, eventId.Id, formatter(state, exception)));
        }
    }
}
