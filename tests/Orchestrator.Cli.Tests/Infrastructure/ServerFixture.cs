using Microsoft.Data.Sqlite;
using Orchestrator.Testing.Server;

namespace Orchestrator.Cli.Tests.Infrastructure;

/// <summary>
/// One <see cref="ServerProcess"/> per test class over a fresh data folder, with its own scheduler name; the CLI talks to
/// it over HTTP like it would in production, and tests read its SQLite file to prove what was (not) written.
/// </summary>
public sealed class ServerFixture : IAsyncLifetime
{
    private ServerProcess? _server;

    private ServerProcess Server => _server ?? throw new InvalidOperationException("the server has not been started");

    public Uri BaseAddress => Server.BaseAddress;

    /// <summary>Sends <see cref="ServerProcess.AdminKey"/>.</summary>
    public HttpClient Client => Server.Client;

    public string Output => Server.Output;

    public async ValueTask InitializeAsync() =>
        _server = await ServerProcess.StartAsync(settings: new Dictionary<string, string>
        {
            ["Orchestrator__SchedulerName"] = "cli-tests-" + Guid.NewGuid().ToString("n"),
        });

    public async ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    /// <summary>Rows in the server's audit log: every stored change writes one, so an unchanged count means nothing was written.</summary>
    public long AuditCount() => Scalar("SELECT COUNT(*) FROM audit_log");

    public long Scalar(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(Server.DataDirectory, "orchestrator.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
