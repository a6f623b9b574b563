using System.Diagnostics;
using System.Globalization;
using Orchestrator.Testing.Server;

namespace Orchestrator.Server.Tests.Hosting;

/// <summary>
/// Orchestrator:Storage=postgres with a missing, unreadable or unreachable database stops the real server at once with
/// exit 2 and a line naming Orchestrator:PostgresConnectionString, never echoing the password, and creates nothing.
/// </summary>
public sealed class StorageSettingsTests
{
    private const string Password = "hunter2-never-printed";

    public static TheoryData<string?, string> BadPostgresSettings => new()
    {
        { null, "Invalid setting Orchestrator:PostgresConnectionString: is required when Storage is postgres" },
        { "", "Invalid setting Orchestrator:PostgresConnectionString: is required when Storage is postgres" },
        { $"Hots=db;Password={Password}", "Invalid setting Orchestrator:PostgresConnectionString: is not a connection string Npgsql accepts" },
        { $"Username=orchestrator;Password={Password}", "Invalid setting Orchestrator:PostgresConnectionString: must name Host and Database" },
        // Nothing listens on this port: the database cannot be reached.
        {
            string.Create(CultureInfo.InvariantCulture, $"Host=127.0.0.1;Port={RefusedPort.Pick()};Database=orchestrator;Username=orchestrator;Password={Password};Timeout=3"),
            "Invalid setting Orchestrator:PostgresConnectionString: cannot reach the PostgreSQL database orchestrator on 127.0.0.1:"
        },
    };

    [Theory]
    [MemberData(nameof(BadPostgresSettings))]
    public async Task APostgresStorageThatCannotBeUsedStopsTheServerNamingTheSetting(string? connectionString, string message)
    {
        var data = Path.Combine(Path.GetTempPath(), "orchestrator-settings", Guid.NewGuid().ToString("N"));
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Orchestrator.Server.dll"));
        start.Environment["Urls"] = "http://127.0.0.1:0";
        start.Environment["Orchestrator__DataDirectory"] = data;
        start.Environment["Orchestrator__Storage"] = "postgres";
        if (connectionString is not null)
        {
            start.Environment["Orchestrator__PostgresConnectionString"] = connectionString;
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        var exited = process.WaitForExit(30_000);
        if (!exited)
        {
            process.Kill(entireProcessTree: true);
        }

        var output = await stderr;
        Assert.True(exited, "the server stopped by itself");
        Assert.True(process.ExitCode == 2, $"exit code {process.ExitCode}, expected 2: {output}");
        Assert.Contains(message, output, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(data, "orchestrator.db")), "no SQLite file was created");
    }
}
