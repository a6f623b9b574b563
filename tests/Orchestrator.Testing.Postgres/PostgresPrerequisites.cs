using Xunit;

namespace Orchestrator.Testing.Postgres;

/// <summary>
/// PostgreSQL tests need the server binaries (Debian's <c>postgresql</c> package; tests/run.sh installs it) and, when
/// run as root, the unprivileged <c>postgres</c> account to run them (initdb refuses root). Locally a missing
/// prerequisite skips with the reason; with <c>CI=true</c> it fails, so CI never passes by skipping PostgreSQL.
/// </summary>
public static class PostgresPrerequisites
{
    /// <summary>The folder holding initdb and pg_ctl: <c>ORCHESTRATOR_TEST_PG_BIN</c>, else the newest
    /// /usr/lib/postgresql/N/bin, else null.</summary>
    public static string? BinDirectory =>
        Environment.GetEnvironmentVariable("ORCHESTRATOR_TEST_PG_BIN") is { Length: > 0 } configured ? configured
        : Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => (Dir: Path.Combine(d, "bin"), Version: int.TryParse(Path.GetFileName(d), out var v) ? v : 0))
                .Where(d => File.Exists(Path.Combine(d.Dir, "initdb")))
                .OrderByDescending(d => d.Version)
                .Select(d => d.Dir)
                .FirstOrDefault()
            : null;

    /// <summary>The account clusters run as when the tests run as root.</summary>
    public const string ServiceUser = "postgres";

    public static void Require()
    {
        var reason = MissingReason();
        if (reason is null)
        {
            return;
        }

        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail(reason + " (CI=true: PostgreSQL tests must not be skipped)");
        }

        Assert.Skip(reason);
    }

    /// <summary>Why a cluster cannot start here, or null when it can.</summary>
    public static string? MissingReason()
    {
        if (BinDirectory is not { } bin)
        {
            return "PostgreSQL server binaries not found under /usr/lib/postgresql (apt-get install postgresql, or set ORCHESTRATOR_TEST_PG_BIN)";
        }

        if (!File.Exists(Path.Combine(bin, "pg_ctl")))
        {
            return $"pg_ctl not found in {bin}";
        }

        if (Environment.IsPrivilegedProcess && !File.Exists("/usr/sbin/runuser") && !File.Exists("/sbin/runuser"))
        {
            return "running as root but runuser is missing (initdb refuses root, so it must run as an unprivileged user)";
        }

        return null;
    }
}
