using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orchestrator.Agent;
using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Enforcement;

var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
{
    Args = args,
    ContentRootPath = AppContext.BaseDirectory,
});
AgentConfiguration.Add(builder.Configuration, args);
builder.Services.AddSystemd();
// HttpClient logs every failed request with a stack trace at Information; the loops log failures once, briefly.
builder.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
builder.Services.AddAgent(builder.Configuration);

using var host = builder.Build();

try
{
    _ = host.Services.GetRequiredService<IOptions<AgentOptions>>().Value;
}
catch (OptionsValidationException ex)
{
    return await StartupRefusal.ReportAsync(host.Services, "invalid configuration:\n  " + string.Join("\n  ", ex.Failures), ExitCodes.InvalidConfiguration);
}

if (args is ["uninstall", ..])
{
    return await AgentVerbs.UninstallAsync(host.Services);
}

// Closed before anything else: the firewall is installed before the server is contacted, and an agent that
// cannot enforce stops instead of running while guarding nothing.
try
{
    using var startup = new CancellationTokenSource(TimeSpan.FromMinutes(1));
    await host.Services.GetRequiredService<IFirewallEnforcer>().InstallClosedAsync(startup.Token);
}
catch (Exception ex) when (ex is FirewallUnavailableException or PlatformNotSupportedException)
{
    return await StartupRefusal.ReportAsync(host.Services, $"cannot enforce, refusing to run: {ex.Message}", ExitCodes.FirewallUnavailable);
}

await host.RunAsync();
return 0;
