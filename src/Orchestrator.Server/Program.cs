using Orchestrator.Server.Hosting;

var builder = WebApplication.CreateBuilder(args);
if (!SettingsLoader.TryLoad(builder.Configuration, out var settings, out var error))
{
    await Console.Error.WriteLineAsync(error);
    return 2;
}

builder.AddOrchestrator(settings);
var app = builder.Build();
await app.PrepareAsync();
app.MapOrchestrator(settings);
await app.RunAsync();
return 0;

/// <summary>Entry point; public so that tests can host the server in-process.</summary>
public partial class Program;
