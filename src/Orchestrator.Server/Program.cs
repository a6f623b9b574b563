using Orchestrator.Server.Health;
using Orchestrator.Server.Hosting;

var builder = WebApplication.CreateBuilder(args);
if (builder.Configuration["config"] is { Length: > 0 } configFile)
{
    if (!File.Exists(configFile))
    {
        await Console.Error.WriteLineAsync($"Invalid setting --config: the file '{configFile}' does not exist");
        return 2;
    }

    // Added last so that the file wins over appsettings.json; environment variables and flags are re-added to win over it.
    builder.Configuration.AddJsonFile(Path.GetFullPath(configFile), optional: false).AddEnvironmentVariables().AddCommandLine(args);
}

if (!SettingsLoader.TryLoad(builder.Configuration, out var settings, out var error))
{
    await Console.Error.WriteLineAsync(error);
    return 2;
}

// A broken database file stops the start with its name (exit 2), before Quartz or Hangfire fail on it without one.
if (StoreFiles.FindUnreadable(settings) is { } unreadable)
{
    await Console.Error.WriteLineAsync(unreadable);
    return 2;
}

builder.AddOrchestrator(settings);
var app = builder.Build();
try
{
    await app.PrepareAsync();
}
catch (StoreStartupException e)
{
    await Console.Error.WriteLineAsync(e.Message);
    return 2;
}

app.MapOrchestrator(settings);
await app.RunAsync();
return 0;

/// <summary>Entry point; public so that tests can host the server in-process.</summary>
public partial class Program;
