namespace Orchestrator.Testing.Server;

/// <summary>The settings a test server runs with, as environment variables (<c>Orchestrator__X</c> is <c>Orchestrator:X</c>).</summary>
public static class ServerSettings
{
    /// <summary>Where the server listens, keeps its files and which first admin key it creates; jobs are polled every
    /// 200 ms so that tests do not wait on the scheduler. Then <paramref name="more"/>, in order, adding or overriding.</summary>
    public static Dictionary<string, string> Base(Uri url, string dataDirectory, string adminKey, params IReadOnlyDictionary<string, string>[] more)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(more);
        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Urls"] = url.ToString().TrimEnd('/'),
            ["Orchestrator__DataDirectory"] = dataDirectory,
            ["Orchestrator__JobPollInterval"] = "00:00:00.200",
            ["Orchestrator__BootstrapAdminKey"] = adminKey,
        };
        foreach (var (key, value) in more.SelectMany(m => m))
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>Windows of seconds: 5 s is long enough for a window, and a close is late after 3 s.</summary>
    public static readonly IReadOnlyDictionary<string, string> ShortWindows = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["Orchestrator__MinimumWindowDuration"] = "00:00:05",
        ["Orchestrator__LateCloseThreshold"] = "00:00:03",
    };

    /// <summary>A node of a cluster on the PostgreSQL database at <paramref name="connectionString"/>: windows of seconds
    /// (<see cref="ShortWindows"/>), and a failed node detected within 2 + 3 s. A close up to 15 s after the planned end is
    /// still "Ended": a takeover's lateness is measured by the tests, not renamed.</summary>
    public static Dictionary<string, string> ClusterNode(string connectionString) => new(ShortWindows, StringComparer.Ordinal)
    {
        ["Orchestrator__Storage"] = "postgres",
        ["Orchestrator__PostgresConnectionString"] = connectionString,
        ["Orchestrator__ClusterCheckinInterval"] = "00:00:02",
        ["Orchestrator__ClusterCheckinMisfireThreshold"] = "00:00:03",
        ["Orchestrator__LateCloseThreshold"] = "00:00:15",
    };

    /// <summary>Stores into the PostgreSQL database at <paramref name="connectionString"/> instead of SQLite files in the
    /// data folder (the folder still holds the server's own files, such as its data-protection keys).</summary>
    public static IReadOnlyDictionary<string, string> Postgres(string connectionString) => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["Orchestrator__Storage"] = "postgres",
        ["Orchestrator__PostgresConnectionString"] = connectionString,
    };
}
