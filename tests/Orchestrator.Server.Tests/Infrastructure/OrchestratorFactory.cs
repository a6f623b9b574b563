using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Orchestrator.Testing.Server;

namespace Orchestrator.Server.Tests.Infrastructure;

/// <summary>The real server in-process over its own SQLite files (orchestrator, Quartz, Hangfire) in a fresh folder, or
/// over a PostgreSQL database when <see cref="PostgresConnectionString"/> is set.</summary>
public sealed class OrchestratorFactory : WebApplicationFactory<Program>
{
    /// <summary>The first admin key, set through Orchestrator:BootstrapAdminKey; clients from <see cref="WebApplicationFactory{T}.CreateClient()"/> send it.</summary>
    public const string AdminKey = ServerProcess.AdminKey;

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "orchestrator-tests", Guid.NewGuid().ToString("N"));

    /// <summary>Null: SQLite files in <see cref="DataDirectory"/>. Else the server stores everything (its tables, Quartz's,
    /// Hangfire's) in this PostgreSQL database (Orchestrator:Storage=postgres); set before the server starts.</summary>
    public string? PostgresConnectionString { get; set; }

    /// <summary>More settings ("Orchestrator:Name" → value), applied after the defaults; set before the server starts.</summary>
    public Dictionary<string, string> Settings { get; } = [];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        // The content root is src/Orchestrator.Server, whose appsettings.json listens on the product's port 5080: a test
        // server over Kestrel (UseKestrel) would take that port, and fail when the operator's own server runs there.
        builder.UseSetting(WebHostDefaults.ServerUrlsKey, "http://127.0.0.1:0");
        builder.UseSetting("Orchestrator:DataDirectory", DataDirectory);
        builder.UseSetting("Orchestrator:MinimumWindowDuration", "00:00:05");
        builder.UseSetting("Orchestrator:JobPollInterval", "00:00:00.200");
        builder.UseSetting("Orchestrator:LateCloseThreshold", "00:00:03");
        builder.UseSetting("Orchestrator:BootstrapAdminKey", AdminKey);
        builder.UseSetting("Orchestrator:SchedulerName", $"test-{Guid.NewGuid():N}");
        // Long enough for a test agent to confirm a close on a loaded machine before the run settles its members.
        builder.UseSetting("Orchestrator:CloseConfirmationGrace", "00:00:05");
        builder.UseSetting("Orchestrator:ScanWaveInterval", "00:00:01");
        if (PostgresConnectionString is { } postgres)
        {
            builder.UseSetting("Orchestrator:Storage", "postgres");
            builder.UseSetting("Orchestrator:PostgresConnectionString", postgres);
        }

        foreach (var (name, value) in Settings)
        {
            builder.UseSetting(name, value);
        }
    }

    protected override void ConfigureClient(HttpClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        base.ConfigureClient(client);
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AdminKey);
    }

    /// <summary>A client that sends no credential at all.</summary>
    public HttpClient CreateAnonymousClient()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = null;
        return client;
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
