using Orchestrator.Server.Access;
using Orchestrator.Server.Health;
using Orchestrator.Server.Hosting;
using Orchestrator.Server.Hosting.Storage;

var command = AdminKeyCommand.IsCommand(args) ? args : null;
var settingsArgs = command is null ? args : AdminKeyCommand.SettingsArguments(args);
CommandLineSecrets.WarnAbout(settingsArgs, Console.Error);
var builder = WebApplication.CreateBuilder(settingsArgs);
if (builder.Configuration["config"] is { Length: > 0 } configFile)
{
    if (!File.Exists(configFile))
    {
        await Console.Error.WriteLineAsync($"Invalid setting --config: the file '{configFile}' does not exist");
        return 2;
    }

    // Added last so that the file wins over appsettings.json; environment variables and flags are re-added to win over it.
    builder.Configuration.AddJsonFile(Path.GetFullPath(configFile), optional: false).AddEnvironmentVariables().AddCommandLine(settingsArgs);
}

if (!SettingsLoader.TryLoad(builder.Configuration, out var settings, out var error))
{
    await Console.Error.WriteLineAsync(error);
    return 2;
}

// A broken database file or an unreachable database stops the start with its name (exit 2), before Quartz or Hangfire
// fail on it without one.
var storage = StorageBackends.For(settings);
if (await storage.FindStartupProblemAsync(CancellationToken.None) is { } unusable)
{
    await Console.Error.WriteLineAsync(unusable);
    return 2;
}

if (command is not null)
{
    return await AdminKeyCommand.RunAsync(command, settings, storage, Console.Out, Console.Error);
}

builder.AddOrchestrator(settings, storage);
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
try
{
    await app.RunAsync();
}
catch (IOException e) when (e.Message.StartsWith("Failed to bind", StringComparison.Ordinal))
{
    // Most often the port is taken (another server, or a second copy of this one). Nothing was served, so nothing
    // of the first start was consumed: the next start creates and prints the first admin key as if this never ran.
    await Console.Error.WriteLineAsync($"Could not listen: {e.Message} Set another address with --urls or Urls, or stop what holds the port.");
    return 2;
}

return 0;

/// <summary>Entry point; public so that tests can host the server in-process.</summary>
public partial class Program;
