using Microsoft.Data.Sqlite;
using Orchestrator.Data.Migrations;
using Orchestrator.Data.Sqlite;
using Orchestrator.Testing.Server;
using Orchestrator.Server.Tests.Infrastructure;

namespace Orchestrator.Server.Tests.Hosting;

/// <summary>
/// Regression: a corrupt orchestrator.db or quartz.db ended the real server process in an unhandled exception (exit
/// 134, no file named), and a corrupt hangfire.db started and reported healthy. A migration script edited, renamed or
/// numbered below the applied ones was applied silently. Now each stops the start with exit 2 and a line naming the file.
/// </summary>
[Collection(ChildProcesses.OnSqlite)]
public sealed class StoreStartupTests : IDisposable
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(40);

    private readonly string _data = Directory.CreateTempSubdirectory("orchestrator-store-start-").FullName;
    private readonly string _scripts = Directory.CreateTempSubdirectory("orchestrator-store-scripts-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        foreach (var folder in new[] { _data, _scripts })
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // Left for the OS to clean.
            }
        }
    }

    [Theory]
    [InlineData("orchestrator.db")]
    [InlineData("quartz.db")]
    [InlineData("hangfire.db")]
    public async Task ACorruptDatabaseFileStopsTheStartWithExit2AndItsName(string file)
    {
        await using (await ServerProcess.StartAsync(_data))
        {
        }

        var path = Path.Combine(_data, file);
        // The server was killed (SIGKILL), so its write-ahead log still holds every page it wrote, and SQLite would
        // read those instead of the file: the whole database (file and log) is garbage, as after a disk fault.
        File.Delete(path + "-wal");
        File.Delete(path + "-shm");
        await File.WriteAllBytesAsync(path, Garbage(8192), TestContext.Current.CancellationToken);

        var (exitCode, output) = await ServerProcess.RunUntilExitAsync(_data, null, ExitTimeout);

        Assert.True(exitCode == 2, $"exit code {exitCode}, expected 2:\n{output}");
        Assert.Contains($"Database {path} ({file}) cannot be read", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", output, StringComparison.Ordinal);
    }

    /// <summary>The highest script number in db/ today, and the next one: the cases keep their meaning as scripts are added.</summary>
    private static readonly string Highest = Directory.GetFiles(DbFolder(), "*.sql").Select(f => Path.GetFileName(f)[..4]).Max(StringComparer.Ordinal)!;

    private static readonly string Next = (int.Parse(Highest, System.Globalization.CultureInfo.InvariantCulture) + 1).ToString("D4", System.Globalization.CultureInfo.InvariantCulture);

    public static TheoryData<string, string> BadScriptChanges => new()
    {
        { "edited", "db/sqlite/0002_agents.sql was edited after it was applied" },
        { "renamed", $"db/sqlite/{Next}_agent_path_indexes.sql is db/sqlite/0005_agent_path_indexes.sql renamed" },
        { "low-numbered", $"db/sqlite/0004_late.sql is new but its number 0004 is not above {Highest}" },
    };

    [Theory]
    [MemberData(nameof(BadScriptChanges))]
    public async Task AChangedMigrationScriptStopsTheStartWithExit2AndItsName(string change, string named)
    {
        foreach (var script in Directory.GetFiles(DbFolder(), "*.sql"))
        {
            File.Copy(script, Path.Combine(_scripts, Path.GetFileName(script)));
        }

        var settings = new Dictionary<string, string> { ["Orchestrator__MigrationsDirectory"] = _scripts };
        await using (await ServerProcess.StartAsync(_data, settings))
        {
        }

        switch (change)
        {
            case "edited":
                File.AppendAllText(Path.Combine(_scripts, "0002_agents.sql"), "\nCREATE TABLE sneaky (id INTEGER);\n");
                break;
            case "renamed":
                File.Move(Path.Combine(_scripts, "0005_agent_path_indexes.sql"), Path.Combine(_scripts, $"{Next}_agent_path_indexes.sql"));
                break;
            default:
                File.WriteAllText(Path.Combine(_scripts, "0004_late.sql"), "CREATE TABLE late (id INTEGER);");
                break;
        }

        var (exitCode, output) = await ServerProcess.RunUntilExitAsync(_data, settings, ExitTimeout);

        Assert.True(exitCode == 2, $"exit code {exitCode}, expected 2:\n{output}");
        Assert.Contains($"Database {Path.Combine(_data, "orchestrator.db")}:", output, StringComparison.Ordinal);
        Assert.Contains(named, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AScriptTheDatabaseHasNotRecordedBelowTheHighestAppliedOneStopsTheStart()
    {
        // The built-in scripts against a database that applied every later script but not 0005: 0005 would now run out of order.
        await using (await ServerProcess.StartAsync(_data))
        {
        }

        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(_data, "orchestrator.db")};Pooling=False"))
        {
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "DELETE FROM schema_version WHERE version = '0005_agent_path_indexes'";
            Assert.Equal(1, await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken));
        }

        var (exitCode, output) = await ServerProcess.RunUntilExitAsync(_data, null, ExitTimeout);

        Assert.True(exitCode == 2, $"exit code {exitCode}, expected 2:\n{output}");
        Assert.Contains($"db/sqlite/0005_agent_path_indexes.sql is new but its number 0005 is not above {Highest}", output, StringComparison.Ordinal);
    }

    private static byte[] Garbage(int length)
    {
        var bytes = new byte[length];
        new Random(12).NextBytes(bytes);
        return bytes;
    }

    private static string DbFolder()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Orchestrator.sln")))
        {
            dir = dir.Parent;
        }

        return Path.Combine(dir!.FullName, "db", "sqlite");
    }
}
