using System.Text.Json.Nodes;
using Orchestrator.Protocol;
using Orchestrator.Server.Tests.Infrastructure;
using Orchestrator.Server.Tests.Reports;
using Orchestrator.Testing.Postgres;
using Orchestrator.Testing.Server;

namespace Orchestrator.Server.Tests.StorageCopy;

/// <summary>
/// An installation made by this release: the real server process on SQLite, filled through its API and agent protocol
/// (<see cref="ReportScenario"/>: enrolled agents, a registered endpoint, a group, a window with scans, an ad-hoc run
/// with traffic, blocked attempts and late data, its final report stored; plus a viewer API key, a webhook whose
/// deliveries failed, a revoked enrollment token), then killed. Also one PostgreSQL cluster for the copies.
/// </summary>
public sealed class SqliteInstallation : IAsyncLifetime
{
    public static readonly Dictionary<string, string> Settings = new(ServerSettings.ShortWindows, StringComparer.Ordinal)
    {
        ["Orchestrator__CloseConfirmationGrace"] = "00:00:05",
        ["Orchestrator__LateReportGrace"] = "00:00:15",
        ["Orchestrator__ScanWaveInterval"] = "00:00:01",
        ["Orchestrator__Notifications__AllowLoopbackTargets"] = "true",
        ["Orchestrator__Notifications__FirstRetryDelay"] = "00:00:00.200",
    };

    public string DataDirectory { get; } = Directory.CreateTempSubdirectory("orchestrator-copy-source-").FullName;

    public PostgresCluster? Cluster { get; private set; }

    public long RunId { get; private set; }

    /// <summary>The run's report as the SQLite server answered it (its final snapshot).</summary>
    public JsonNode Report { get; private set; } = null!;

    /// <summary>The audit log as the SQLite server answered it.</summary>
    public JsonNode Audit { get; private set; } = null!;

    /// <summary>A viewer key created before the copy, and an agent's credential.</summary>
    public string ViewerKey { get; private set; } = "";

    public EnrollResponseV1 AgentCredential { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        if (PostgresPrerequisites.MissingReason() is null)
        {
            Cluster = await PostgresCluster.StartAsync();
        }

        await using var server = await ServerProcess.StartAsync(DataDirectory, Settings);
        var client = server.Client;
        ViewerKey = (string)(await client.CreateAsync("/api/v1/keys", new { name = "dashboard", role = "viewer" }))["key"]!;
        var spare = await client.CreateAsync("/api/v1/enrollment-tokens", new { name = "spare", expiresIn = "PT1H" });
        await client.SendAsync(HttpMethod.Delete, $"/api/v1/enrollment-tokens/{(long)spare["id"]!}");
        // Nothing listens on this port: every delivery fails and is recorded with its error.
        await client.CreateAsync("/api/v1/webhooks", new { name = "on-call", url = $"{RefusedPort.Url()}hook", events = new[] { "*" }, secret = "receiver-secret-0123456789" });

        var scenario = await ReportScenario.SeedAsync(client);
        RunId = scenario.RunId;
        var run = await Seed.RunAsync(client, RunId);
        var closed = DateTimeOffset.Parse((string)(run["closedAt"] ?? run["plannedEnd"])!, System.Globalization.CultureInfo.InvariantCulture);
        // Past LateReportGrace + CloseConfirmationGrace the next read stores the final report (run_report_snapshots).
        var final = closed + TimeSpan.FromSeconds(21) - DateTimeOffset.UtcNow;
        if (final > TimeSpan.Zero)
        {
            await Task.Delay(final);
        }

        var token = (string)(await client.CreateAsync("/api/v1/enrollment-tokens", new { name = "late", expiresIn = "PT1H", tags = new[] { "floor-3" } }))["token"]!;
        AgentCredential = (await Agents.TestAgent.EnrollAsync(client, token, "pc-9", "198.18.0.19", "floor-3")).Credential;
        Report = await client.GetJsonAsync($"/api/v1/runs/{RunId}/report");
        Audit = await client.GetJsonAsync("/api/v1/audit?limit=1000");
        server.KillHard();
    }

    public async ValueTask DisposeAsync()
    {
        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(DataDirectory, recursive: true);
    }

    /// <summary>A copy of the data folder's files in a new folder, for a test that changes or locks them.</summary>
    public string CopyOfDataDirectory()
    {
        var copy = Directory.CreateTempSubdirectory("orchestrator-copy-source-").FullName;
        foreach (var file in Directory.EnumerateFiles(DataDirectory, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(copy, Path.GetRelativePath(DataDirectory, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        return copy;
    }
}
