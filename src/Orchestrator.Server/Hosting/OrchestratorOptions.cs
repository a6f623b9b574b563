using System.ComponentModel.DataAnnotations;
using Orchestrator.Server.Hosting.Storage;

namespace Orchestrator.Server.Hosting;

/// <summary>Server settings, section "Orchestrator". Every limit has a default that suits a production site.</summary>
public sealed class OrchestratorOptions : IValidatableObject
{
    public const string Section = "Orchestrator";

    /// <summary>Folder for orchestrator.db, quartz.db and hangfire.db (SQLite) and for the cookie-protection keys (both
    /// backends); relative paths start at the working directory.</summary>
    [Required]
    public string DataDirectory { get; set; } = "data";

    /// <summary>Where the server keeps its data: "sqlite" (the embedded default, three files in the data folder, one
    /// node) or "postgres" (one PostgreSQL database shared by any number of nodes; needs
    /// <see cref="PostgresConnectionString"/>).</summary>
    [RegularExpression("^(sqlite|postgres)$", ErrorMessage = "{0} must be sqlite or postgres")]
    public string Storage { get; set; } = StorageKinds.Sqlite;

    /// <summary>With Storage=postgres: the Npgsql connection string of the database every node uses, e.g.
    /// "Host=db.example.com;Database=orchestrator;Username=orchestrator;Password=…". A secret: give it through the
    /// environment (Orchestrator__PostgresConnectionString) or a settings file only the server reads.</summary>
    public string? PostgresConnectionString { get; set; }

    /// <summary>With Storage=postgres: how often each node's Quartz scheduler records in the database that it is alive.
    /// A node that misses its check-in by <see cref="ClusterCheckinMisfireThreshold"/> is taken for dead and the others
    /// take over its triggers (a window's close among them), so interval + threshold bounds how late a close that the
    /// dead node had already picked up can be.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00", ErrorMessage = "{0} must be between {1} and {2}")]
    public TimeSpan ClusterCheckinInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>With Storage=postgres: how long past a missed check-in the other nodes wait before recovering a node's
    /// triggers. Longer than the worst pause of a live node (garbage collection, VM migration, database failover);
    /// a live node taken for dead only repeats idempotent jobs.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00", ErrorMessage = "{0} must be between {1} and {2}")]
    public TimeSpan ClusterCheckinMisfireThreshold { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>With Storage=postgres: a job that a node fetched and did not finish (the node died) is handed to another
    /// node after this. Running jobs of live nodes keep refreshing theirs, so it bounds only the takeover after a crash.</summary>
    [Range(typeof(TimeSpan), "00:00:10", "00:30:00", ErrorMessage = "{0} must be between {1} and {2}")]
    public TimeSpan JobInvisibilityTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Shortest window or ad-hoc run accepted. 5 minutes in production; labs and tests lower it (≥ 5 s).</summary>
    [Range(typeof(TimeSpan), "00:00:05", "00:05:00", ErrorMessage = "{0} must be between {1} and {2}")]
    public TimeSpan MinimumWindowDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often Hangfire looks for new jobs. Its default (15 s) is too slow to open a window on time.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:00:15", ErrorMessage = "{0} must be between {1} and {2}")]
    public TimeSpan JobPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often the server looks whether the endpoint catalog changed, to read it again in the background once
    /// a change has settled (so that an opening does not read it at its start).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00", ErrorMessage = "{0} must be between {1} and {2}")]
    public TimeSpan EndpointDirectoryRefreshInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Hangfire worker threads.</summary>
    [Range(1, 64)]
    public int JobWorkers { get; set; } = 4;

    /// <summary>A close later than this after the planned end is marked as closed after downtime.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00", ErrorMessage = "{0} must be between {1} and {2}")]
    public TimeSpan LateCloseThreshold { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Agent reports arriving this long after a run's end still count for the run (their last counters).</summary>
    [Range(typeof(TimeSpan), "00:00:05", "01:00:00", ErrorMessage = "{0} must be between {1} and {2}")]
    public TimeSpan LateReportGrace { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>An agent silent for longer is shown offline (it long-polls every 25 s when healthy).</summary>
    [Range(typeof(TimeSpan), "00:00:10", "01:00:00", ErrorMessage = "{0} must be between {1} and {2}")]
    public TimeSpan AgentOfflineAfter { get; set; } = TimeSpan.FromSeconds(90);

    /// <summary>Counted from the moment the endpoints' desired state drops the opening (the earlier of the server's
    /// close and the planned end): members whose agent has not confirmed the close by then are recorded as "closed by
    /// expiry, unconfirmed", or "unconfirmed" while their opening's expiry is still ahead (critical in the report). A
    /// later confirmation is recorded as late.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00", ErrorMessage = "{0} must be between {1} and {2}")]
    public TimeSpan CloseConfirmationGrace { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often a run's scan dispatcher looks for room for the next wave.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00", ErrorMessage = "{0} must be between {1} and {2}")]
    public TimeSpan ScanWaveInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Hangfire workers for the scan dispatch jobs (queue "scans"): one per run that is dispatching scans at the
    /// same time. A run beyond that waits for a free one; openings and closings have their own workers.</summary>
    [Range(1, 256)]
    public int ScanDispatchWorkers { get; set; } = 16;

    /// <summary>Longest time one scan dispatch job runs before a fresh job continues the run's dispatch; below the
    /// 30 minutes after which Hangfire's SQLite storage hands a running job out again.</summary>
    [Range(typeof(TimeSpan), "00:00:10", "00:25:00", ErrorMessage = "{0} must be between {1} and {2}")]
    public TimeSpan ScanDispatchSlice { get; set; } = TimeSpan.FromMinutes(20);

    /// <summary>Seconds an endpoint's scan command may take before it counts as timed out.</summary>
    [Range(10, 7_200)]
    public int ScanTimeoutSeconds { get; set; } = 900;

    /// <summary>Largest request body accepted (bytes); larger ones get 413.</summary>
    [Range(1_024, 16 * 1024 * 1024)]
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Development only: serve the Hangfire dashboard without signing in. Never in production: the dashboard
    /// can trigger and delete jobs.</summary>
    public bool DashboardAllowAnonymous { get; set; }

    /// <summary>The first admin API key, used only when no key exists yet (first start); otherwise one is generated
    /// and printed once. At least 32 characters.</summary>
    [MinLength(32, ErrorMessage = "{0} must be at least 32 characters")]
    public string? BootstrapAdminKey { get; set; }

    /// <summary>Requests one authenticated agent may make per minute (a healthy agent makes about 15).</summary>
    [Range(10, 100_000)]
    public int AgentRequestsPerMinute { get; set; } = 120;

    /// <summary>A run's peer set of at most this many ranges travels inline in each member's desired state, so the agent
    /// fetches nothing (one group in one contiguous block of addresses is one range); a larger set is fetched once by hash.
    /// 32 IPv4 ranges are at most ~1.1 KB per state, about what the fetch's own request and answer cost. 0: always by hash.</summary>
    [Range(0, 1_000)]
    public int InlinePeerSetMaxRanges { get; set; } = 32;

    /// <summary>Refused agent credentials answered per client address per minute; beyond it they get 429. Authenticated
    /// agents are not counted here, so a caller guessing secrets cannot lock the real agents out.</summary>
    [Range(1, 100_000)]
    public int AgentRefusedAttemptsPerMinute { get; set; } = 30;

    /// <summary>Sign-in and enrollment attempts per client address per minute.</summary>
    [Range(1, 10_000)]
    public int SignInAttemptsPerMinute { get; set; } = 20;

    /// <summary>Changes one API key may make per minute.</summary>
    [Range(1, 100_000)]
    public int WritesPerMinute { get; set; } = 300;

    /// <summary>Quartz scheduler name: its rows in quartz.db carry it, and Quartz keeps one scheduler per name in a
    /// process, so two servers hosted in one process need different names.</summary>
    [Required]
    [RegularExpression("^[A-Za-z0-9_-]{1,80}$", ErrorMessage = "{0} must be 1-80 letters, digits, '-' or '_'")]
    public string SchedulerName { get; set; } = "orchestrator";

    /// <summary>How long a write waits for a lock on a database file held by another connection or process; then the
    /// request answers 503 with Retry-After instead of hanging.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00", ErrorMessage = "{0} must be between {1} and {2}")]
    public TimeSpan DatabaseBusyTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long /healthz waits to read and to take the write lock of each database file before it calls that
    /// store unhealthy.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:00:30", ErrorMessage = "{0} must be between {1} and {2}")]
    public TimeSpan HealthProbeTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Log lines on the console: "text" (for people) or "json" (one JSON object per line: Timestamp, EventId,
    /// LogLevel, Category, Message, State with the named values; for a log shipper).</summary>
    [RegularExpression("^(text|json)$", ErrorMessage = "{0} must be text or json")]
    public string LogFormat { get; set; } = "text";

    /// <summary>Testing and support only: apply the migration scripts of this folder instead of the ones built into
    /// the server (db/). Unset in production.</summary>
    public string? MigrationsDirectory { get; set; }

    /// <summary>The address people use to reach this server (e.g. https://orchestrator.example.com), for absolute links
    /// in reports meant for tickets. Unset: those links are relative; the request's Host header is never used.</summary>
    public string? PublicUrl { get; set; }

    /// <summary>How often the home page (/) reloads itself while it is open, so open runs' progress stays current
    /// without a script (a meta refresh: the pages' content security policy allows no script).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00", ErrorMessage = "{0} must be between {1} and {2}")]
    public TimeSpan HomePageRefresh { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How far ahead the home page and the calendar export (/api/v1/calendar.ics) list window occurrences.</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "366.00:00:00", ErrorMessage = "{0} must be between {1} and {2}")]
    public TimeSpan UpcomingHorizon { get; set; } = TimeSpan.FromDays(14);
    /// <summary>Webhooks and window hooks (section Orchestrator:Notifications): timeouts, retries, workers, loopback rule.</summary>
    public Notifications.NotificationOptions Notifications { get; set; } = new();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var nested = new List<ValidationResult>();
        Validator.TryValidateObject(Notifications, new ValidationContext(Notifications), nested, validateAllProperties: true);
        foreach (var result in nested)
        {
            yield return new ValidationResult(result.ErrorMessage, result.MemberNames.Select(m => $"{nameof(Notifications)}:{m}").ToList());
        }

        foreach (var problem in StorageSettings.Validate(this))
        {
            yield return problem;
        }

        if (PublicUrl is not null && !IsPublicUrl(PublicUrl))
        {
            yield return new ValidationResult(
                $"'{PublicUrl}' is not accepted; an absolute http:// or https:// address without query, fragment or user info, e.g. https://orchestrator.example.com",
                [nameof(PublicUrl)]);
        }
    }

    /// <summary><see cref="PublicUrl"/> without a trailing slash, or "" for relative links.</summary>
    public string PublicBase => PublicUrl?.TrimEnd('/') ?? "";

    private static bool IsPublicUrl(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
        && uri.Query.Length == 0 && uri.Fragment.Length == 0 && uri.UserInfo.Length == 0 && !url.Contains('#', StringComparison.Ordinal);

    public string DatabasePath => Path.Combine(DataDirectory, "orchestrator.db");

    public string QuartzPath => Path.Combine(DataDirectory, "quartz.db");

    public string HangfirePath => Path.Combine(DataDirectory, "hangfire.db");
}
