using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orchestrator.Data.Access;
using Orchestrator.Data.Agents;
using Orchestrator.Data.Audit;
using Orchestrator.Data.Endpoints;
using Orchestrator.Data.Groups;
using Orchestrator.Data.Notifications;
using Orchestrator.Data.Postgres;
using Orchestrator.Data.Reports;
using Orchestrator.Data.Runs;
using Orchestrator.Data.Sqlite;
using Orchestrator.Data.Windows;
using Orchestrator.Server.Agents;
using Orchestrator.Server.Tests.Infrastructure;
using Orchestrator.Testing.Postgres;
using Orchestrator.Testing.Server;

namespace Orchestrator.Server.Tests.StorageCopy;

/// <summary>
/// <c>Orchestrator.Server storage copy-to-postgres</c> run as the operator runs it (the built server's executable, a
/// separate process) over the data folder of an installation made by this release, into a real PostgreSQL database.
/// </summary>
[Collection(ChildProcesses.OnPostgres)]
public sealed class CopyToPostgresTests(SqliteInstallation installation) : IClassFixture<SqliteInstallation>
{
    private static string DatabaseName() => "copy_" + Guid.NewGuid().ToString("N")[..12];

    private async Task<string> EmptyDatabaseAsync()
    {
        PostgresPrerequisites.Require();
        return await installation.Cluster!.CreateDatabaseAsync(DatabaseName(), TestContext.Current.CancellationToken);
    }

    private static Task<(int ExitCode, string Output)> CopyAsync(string dataDirectory, string connection, params string[] more) =>
        ServerProcess.RunCommandAsync(dataDirectory, null, ["storage", "copy-to-postgres", "--connection", connection, .. more]);

    [Fact]
    public async Task CopyKeepsEveryRowOfEveryTableWithItsIds()
    {
        var connection = await EmptyDatabaseAsync();

        var (exit, output) = await CopyAsync(installation.DataDirectory, connection);

        TestContext.Current.TestOutputHelper?.WriteLine(output);
        Assert.True(exit == 0, output);
        var sqlite = await TableDump.OfSqliteAsync(Path.Combine(installation.DataDirectory, "orchestrator.db"));
        var postgres = await TableDump.OfPostgresAsync(connection);
        foreach (var (table, rows) in sqlite)
        {
            Assert.True(postgres.ContainsKey(table), $"{table} missing in PostgreSQL");
            Assert.Equal(rows, postgres[table]);
            Assert.Contains($"  {table} ", output, StringComparison.Ordinal);
        }

        // What the installation holds, so that an empty table cannot pass for a copied one.
        foreach (var table in new[] { "endpoints", "groups", "windows", "window_groups", "runs", "run_members", "run_peer_sets", "audit_log", "enrollment_tokens",
                     "agents", "endpoint_addresses", "agent_reports", "peer_traffic", "blocked_attempts", "scans", "api_keys", "run_report_snapshots",
                     "webhooks", "webhook_deliveries" })
        {
            Assert.True(sqlite[table].Count > 0, $"the installation has no {table} rows");
        }

        Assert.Contains("Not copied: Quartz's schedules", output, StringComparison.Ordinal);
        Assert.Contains("every table's row count matches", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NewRowsAfterTheCopyTakeIdsAfterTheCopiedOnes()
    {
        var connection = await EmptyDatabaseAsync();
        var (exit, output) = await CopyAsync(installation.DataDirectory, connection);
        Assert.True(exit == 0, output);

        await using var postgres = new NpgsqlConnection(connection);
        await postgres.OpenAsync(TestContext.Current.CancellationToken);
        foreach (var table in new[] { "endpoints", "groups", "windows", "runs", "audit_log", "api_keys", "webhooks", "webhook_deliveries", "peer_traffic", "enrollment_tokens" })
        {
            await using var command = new NpgsqlCommand(
                $"SELECT nextval(pg_get_serial_sequence('orchestrator.{table}', 'id')) > (SELECT max(id) FROM orchestrator.{table})", postgres);
            Assert.True((bool)(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))!, $"{table}: the next id is not past the copied ones");
        }
    }

    /// <summary>What the server reads through its stores is the same on both backends, and credentials issued before
    /// the copy still match: the viewer key is found active by its hash, the agent's secret matches its stored hash.</summary>
    [Fact]
    public async Task TheStoresReadTheSameInstallationFromBothDatabasesAndOldCredentialsStillMatch()
    {
        var connection = await EmptyDatabaseAsync();
        // A copy of the folder: the SQLite stores' pooled connections stay open after the test, and a file held open is
        // exactly what the copy refuses.
        var data = installation.CopyOfDataDirectory();
        var (exit, output) = await CopyAsync(data, connection);
        Assert.True(exit == 0, output);

        await using (var sqlite = new ServiceCollection().AddOrchestratorSqlite(Path.Combine(data, "orchestrator.db")).BuildServiceProvider())
        await using (var postgres = new ServiceCollection().AddOrchestratorPostgres(connection).BuildServiceProvider())
        {
            Assert.Equal(await ReadEverythingAsync(sqlite, installation.RunId), await ReadEverythingAsync(postgres, installation.RunId));
            var key = await postgres.GetRequiredService<IApiKeyStore>().FindActiveAsync(Secrets.Hash(installation.ViewerKey), DateTimeOffset.UtcNow, TestContext.Current.CancellationToken);
            Assert.Equal("dashboard", key?.Name);
            var agent = await postgres.GetRequiredService<IAgentStore>().GetAsync(installation.AgentCredential.AgentId, TestContext.Current.CancellationToken);
            Assert.NotNull(agent);
            Assert.True(Secrets.Matches(installation.AgentCredential.Secret, agent.SecretHash));
            Assert.Null(agent.RevokedAt);
        }

        SqliteConnection.ClearAllPools();
        Directory.Delete(data, recursive: true);
    }

    private static readonly JsonSerializerOptions Everything = new() { IncludeFields = true, WriteIndented = true };

    private static async Task<string> ReadEverythingAsync(IServiceProvider stores, long runId)
    {
        var ct = TestContext.Current.CancellationToken;
        var runs = stores.GetRequiredService<IRunStore>();
        var reports = stores.GetRequiredService<IRunReportStore>();
        var agents = stores.GetRequiredService<IAgentStore>();
        var webhooks = stores.GetRequiredService<IWebhookStore>();
        var read = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["endpoints"] = await stores.GetRequiredService<IEndpointStore>().ListAsync(ct),
            ["groups"] = await stores.GetRequiredService<IGroupStore>().ListAsync(ct),
            ["windows"] = await stores.GetRequiredService<IWindowStore>().ListAsync(ct),
            ["keys"] = await stores.GetRequiredService<IApiKeyStore>().ListAsync(ct),
            ["audit"] = await stores.GetRequiredService<IAuditLog>().ListAsync(new AuditQuery(Limit: 100_000), ct),
            ["runs"] = await runs.ListAsync(new RunQuery(Limit: 1_000), ct),
            ["members"] = await runs.GetMembersAsync(runId, ct),
            ["agents"] = await agents.ListAsync(ct),
            ["tokens"] = await agents.ListTokensAsync(ct),
            ["facts"] = await reports.GetFactsAsync(runId, ct),
            ["snapshot"] = await reports.GetSnapshotAsync(runId, ct),
            ["webhooks"] = await webhooks.ListAsync(ct),
            ["deliveries"] = await webhooks.ListAttemptsForRunAsync(runId, ct),
        };
        foreach (var (name, value) in read)
        {
            Assert.True(value is not null && (value is not System.Collections.ICollection c || c.Count > 0), $"nothing read from {name}");
        }

        return JsonSerializer.Serialize(read, Everything);
    }

    /// <summary>The server started on the copy (Orchestrator:Storage=postgres, the same data folder for its keys)
    /// answers the run's report and the audit log as the SQLite server did, and the credentials issued on SQLite work.</summary>
    [Fact]
    public async Task AServerStartedOnTheCopyAnswersAsTheSqliteServerDidAndOldCredentialsWork()
    {
        var connection = await EmptyDatabaseAsync();
        var data = installation.CopyOfDataDirectory();
        try
        {
            var (exit, output) = await CopyAsync(data, connection);
            Assert.True(exit == 0, output);

            await using var server = await ServerProcess.StartAsync(data, new Dictionary<string, string>(SqliteInstallation.Settings, StringComparer.Ordinal)
            {
                ["Orchestrator__Storage"] = "postgres",
                ["Orchestrator__PostgresConnectionString"] = connection,
            });

            Assert.Equal(WithoutJobs(installation.Report), WithoutJobs(await server.Client.GetJsonAsync($"/api/v1/runs/{installation.RunId}/report")));
            Assert.Equal(installation.Audit.ToJsonString(), (await server.Client.GetJsonAsync("/api/v1/audit?limit=1000")).ToJsonString());

            using var viewer = new HttpClient { BaseAddress = server.BaseAddress };
            viewer.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", installation.ViewerKey);
            Assert.Equal(System.Net.HttpStatusCode.OK, (await viewer.GetAsync(new Uri("/api/v1/windows", UriKind.Relative), TestContext.Current.CancellationToken)).StatusCode);
            var agent = new Agents.TestAgent(server.Client, installation.AgentCredential, "198.18.0.19");
            var (status, state) = await agent.PollAsync(0, 0);
            Assert.Equal(System.Net.HttpStatusCode.OK, status);
            Assert.NotNull(state);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    /// <summary>The report's links to Hangfire jobs name jobs of hangfire.db, which is not copied; generatedAt is the
    /// time of the read; the webhook's failing deliveries went on being retried (and recorded) between the SQLite
    /// server's read and its kill, so its notifications are compared row by row in the tables instead.</summary>
    private static string WithoutJobs(System.Text.Json.Nodes.JsonNode report)
    {
        var copy = report.DeepClone().AsObject();
        copy.Remove("jobs");
        copy.Remove("generatedAt");
        copy.Remove("notifications");
        return copy.ToJsonString();
    }

    /// <summary>The copy switches the tables' triggers off while it fills them; they must be on again afterwards.</summary>
    [Fact]
    public async Task TheEndpointCatalogVersionStillMovesWhenAnEndpointChangesAfterTheCopy()
    {
        var connection = await EmptyDatabaseAsync();
        var (exit, output) = await CopyAsync(installation.DataDirectory, connection);
        Assert.True(exit == 0, output);

        await using var postgres = new NpgsqlConnection(connection);
        await postgres.OpenAsync(TestContext.Current.CancellationToken);
        await using var before = new NpgsqlCommand("SELECT version FROM orchestrator.endpoint_catalog", postgres);
        var version = (long)(await before.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
        await using var change = new NpgsqlCommand("UPDATE orchestrator.endpoints SET tags = '[\"moved\"]' WHERE id = (SELECT min(id) FROM orchestrator.endpoints)", postgres);
        await change.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        await using var after = new NpgsqlCommand("SELECT version FROM orchestrator.endpoint_catalog", postgres);
        Assert.Equal(version + 1, (long)(await after.ExecuteScalarAsync(TestContext.Current.CancellationToken))!);
    }

    /// <summary>On PostgreSQL every node reads Data Protection keys from the shared ring, not a folder: the copy puts the
    /// SQLite server's keys (which encrypted the webhook's secret and protect sign-in cookies) there, each under its name.</summary>
    [Fact]
    public async Task TheDataFoldersKeysAreInTheSharedKeyRingAfterTheCopy()
    {
        var connection = await EmptyDatabaseAsync();
        var (exit, output) = await CopyAsync(installation.DataDirectory, connection);
        Assert.True(exit == 0, output);

        var files = Directory.GetFiles(Path.Combine(installation.DataDirectory, "keys"), "*.xml")
            .Order(StringComparer.Ordinal)
            .ToDictionary(f => Path.GetFileNameWithoutExtension(f)!, f => System.Xml.Linq.XElement.Load(f).ToString(System.Xml.Linq.SaveOptions.DisableFormatting));
        Assert.NotEmpty(files);
        await using var postgres = new NpgsqlConnection(connection);
        await postgres.OpenAsync(TestContext.Current.CancellationToken);
        await using var read = new NpgsqlCommand("SELECT name, xml FROM orchestrator.key_ring ORDER BY name COLLATE \"C\"", postgres);
        var ring = new Dictionary<string, string>();
        await using (var reader = await read.ExecuteReaderAsync(TestContext.Current.CancellationToken))
        {
            while (await reader.ReadAsync(TestContext.Current.CancellationToken))
            {
                ring[reader.GetString(0)] = reader.GetString(1);
            }
        }

        Assert.Equal(files, ring);
        Assert.Contains($"Imported {files.Count} Data Protection key(s)", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CopyIntoADatabaseThatHoldsRowsIsRefusedAndChangesNothing()
    {
        var connection = await EmptyDatabaseAsync();
        var (first, firstOutput) = await CopyAsync(installation.DataDirectory, connection);
        Assert.True(first == 0, firstOutput);
        var before = await TableDump.OfPostgresAsync(connection);

        var (exit, output) = await CopyAsync(installation.DataDirectory, connection);

        Assert.Equal(1, exit);
        Assert.Contains("The PostgreSQL database is not empty", output, StringComparison.Ordinal);
        Assert.Contains("endpoints", output, StringComparison.Ordinal);
        Assert.Equal(before, await TableDump.OfPostgresAsync(connection));
    }

    [Fact]
    public async Task ACopyIsRefusedWhenAColumnExistsOnOneSideOnly()
    {
        var connection = await EmptyDatabaseAsync();
        var data = installation.CopyOfDataDirectory();
        try
        {
            await using (var sqlite = new SqliteConnection($"Data Source={Path.Combine(data, "orchestrator.db")};Pooling=False"))
            {
                await sqlite.OpenAsync(TestContext.Current.CancellationToken);
                await using var alter = sqlite.CreateCommand();
                alter.CommandText = "ALTER TABLE groups ADD COLUMN colour TEXT";
                await alter.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
            }

            var (exit, output) = await CopyAsync(data, connection);

            Assert.Equal(1, exit);
            Assert.Contains("groups: column(s) colour only in SQLite", output, StringComparison.Ordinal);
            Assert.All(await TableDump.OfPostgresAsync(connection), t => Assert.True(t.Key == "endpoint_catalog" || t.Value.Count == 0, $"{t.Key} has rows"));
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task ACopyIsRefusedWhileTheServerRunsOnTheFileAndPostgresIsNotTouched()
    {
        var connection = await EmptyDatabaseAsync();
        var data = installation.CopyOfDataDirectory();
        try
        {
            await using var server = await ServerProcess.StartAsync(data, SqliteInstallation.Settings);

            var (exit, output) = await CopyAsync(data, connection);

            Assert.Equal(1, exit);
            Assert.Contains("is in use by another process", output, StringComparison.Ordinal);
            await using var postgres = new NpgsqlConnection(connection);
            await postgres.OpenAsync(TestContext.Current.CancellationToken);
            await using var schema = new NpgsqlCommand("SELECT count(*) FROM information_schema.schemata WHERE schema_name = 'orchestrator'", postgres);
            Assert.Equal(0L, (long)(await schema.ExecuteScalarAsync(TestContext.Current.CancellationToken))!);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task BadArgumentsAreNamedAndHelpListsTheCommand()
    {
        var data = Directory.CreateTempSubdirectory("orchestrator-copy-args-").FullName;
        try
        {
            var (missing, missingOutput) = await ServerProcess.RunCommandAsync(data, null, "storage", "copy-to-postgres");
            Assert.Equal(2, missing);
            Assert.Contains("Missing --connection", missingOutput, StringComparison.Ordinal);

            var (unknown, unknownOutput) = await ServerProcess.RunCommandAsync(data, null, "storage", "copy-to-postgres", "--conection", "Host=x");
            Assert.Equal(2, unknown);
            Assert.Contains("Unknown argument '--conection'", unknownOutput, StringComparison.Ordinal);

            var (noFile, noFileOutput) = await ServerProcess.RunCommandAsync(data, null, "storage", "copy-to-postgres", "--connection", "Host=127.0.0.1;Port=1", "--from", Path.Combine(data, "none.db"));
            Assert.Equal(1, noFile);
            Assert.Contains("There is no SQLite database at", noFileOutput, StringComparison.Ordinal);

            var (help, helpOutput) = await ServerProcess.RunCommandAsync(data, null, "--help");
            Assert.Equal(0, help);
            Assert.Contains("storage copy-to-postgres", helpOutput, StringComparison.Ordinal);
            Assert.Contains("admin-key issue", helpOutput, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
