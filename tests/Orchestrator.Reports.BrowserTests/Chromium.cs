using Microsoft.Playwright;

namespace Orchestrator.Reports.BrowserTests;

/// <summary>
/// Debian's chromium (tests/run.sh installs it): Playwright's own browser download cannot work here, so the tests
/// drive the system browser. Missing chromium skips the tests, except under CI=true, where it fails them.
/// </summary>
internal static class Chromium
{
    public const string Path = "/usr/bin/chromium";

    public static void RequireOrSkip()
    {
        if (File.Exists(Path))
        {
            return;
        }

        var reason = $"{Path} is missing; install Debian's chromium (tests/run.sh does: apt-get install chromium)";
        if (Environment.GetEnvironmentVariable("CI") == "true")
        {
            Assert.Fail(reason + " — CI=true, so a missing browser fails instead of skipping");
        }

        Assert.Skip(reason);
    }

    public static Task<IBrowser> LaunchAsync(IPlaywright playwright) =>
        playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Path,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });

    /// <summary>Where screenshots go: the test run's results directory (--results-directory), else TestResults/ beside
    /// the test binaries (the test platform's default).</summary>
    public static string ArtifactsDirectory()
    {
        var args = Environment.GetCommandLineArgs();
        var at = Array.IndexOf(args, "--results-directory");
        var root = at >= 0 && at + 1 < args.Length ? args[at + 1] : System.IO.Path.Combine(AppContext.BaseDirectory, "TestResults");
        var directory = System.IO.Path.Combine(root, "screenshots");
        Directory.CreateDirectory(directory);
        return directory;
    }
}
