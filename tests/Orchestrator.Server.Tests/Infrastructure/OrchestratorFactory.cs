using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Orchestrator.Server.Tests.Infrastructure;

/// <summary>The real server in-process over its own SQLite files (orchestrator, Quartz, Hangfire) in a fresh folder.</summary>
public sealed class OrchestratorFactory : WebApplicationFactory<Program>
{
    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "orchestrator-tests", Guid.NewGuid().ToString("N"));

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Orchestrator:DataDirectory", DataDirectory);
        builder.UseSetting("Orchestrator:MinimumWindowDuration", "00:00:05");
        builder.UseSetting("Orchestrator:JobPollInterval", "00:00:00.200");
        builder.UseSetting("Orchestrator:LateCloseThreshold", "00:00:03");
        builder.UseSetting("Orchestrator:DashboardLocalOnly", "false");
        builder.UseSetting("Orchestrator:SchedulerName", $"test-{Guid.NewGuid():N}");
        builder.UseSetting("Orchestrator:CloseConfirmationGrace", "00:00:01");
        builder.UseSetting("Orchestrator:ScanWaveInterval", "00:00:01");
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        GC.SuppressFinalize(this);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a background thread; the temp folder is cleaned by the OS.
        }
    }
}
