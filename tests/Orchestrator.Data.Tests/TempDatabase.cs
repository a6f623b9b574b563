using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Core.Schedules;
using Orchestrator.Core.Windows;
using Orchestrator.Data.Sqlite;
using Orchestrator.Data.Windows;

namespace Orchestrator.Data.Tests;

/// <summary>A real orchestrator.db in a fresh temp folder, migrated, removed afterwards.</summary>
public sealed class TempDatabase : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2027, 3, 9, 21, 0, 0, TimeSpan.Zero);

    private TempDatabase(string folder)
    {
        Folder = folder;
        Database = new SqliteDatabase(Path.Combine(folder, "orchestrator.db"));
    }

    public string Folder { get; }

    public SqliteDatabase Database { get; }

    public FakeTimeProvider Time { get; } = new(Start);

    public static async Task<TempDatabase> CreateAsync(bool migrate = true)
    {
        var db = new TempDatabase(Path.Combine(Path.GetTempPath(), "orchestrator-data-tests", Guid.NewGuid().ToString("N")));
        if (migrate)
        {
            await SqliteMigrator.MigrateAsync(db.Database, db.Time, TestContext.Current.CancellationToken);
        }

        return db;
    }

    public static WindowDefinition Window(string name, params string[] groups) => new()
    {
        Name = name,
        Schedule = new WindowSchedule { Cron = "0 0 22 ? * TUE#2", TimeZone = "Europe/Berlin", Duration = TimeSpan.FromHours(4) },
        Groups = groups,
    };

    public async Task<WindowRecord> CreateWindowAsync(string name) =>
        await new SqliteWindowStore(Database).CreateAsync(Window(name), [], "test", Time.GetUtcNow(), TestContext.Current.CancellationToken);

    public async Task<long> ScalarAsync(string sql)
    {
        await using var connection = await Database.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A handle still open in another test's pool; the OS cleans the temp folder.
        }

        await Task.CompletedTask;
    }
}
