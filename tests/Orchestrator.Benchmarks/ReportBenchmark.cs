using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Orchestrator.Benchmarks;

// Report rendering at scale: seeds one closed run with --endpoints members and --rows peer-traffic rows into a fresh
// data folder, hosts the real server in-process over it, and times GET /reports/runs/{id} (build + render + send).
//
//   dotnet run -c Release --project tests/Orchestrator.Benchmarks [-- --endpoints 10000 --rows 1000000 --repeat 5]
internal static class ReportBenchmark
{
    public static async Task<int> Main(string[] args)
    {
        var endpoints = Option("--endpoints", 10_000);
        var rows = Option("--rows", 1_000_000);
        var repeat = Option("--repeat", 5);
        var data = Path.Combine(Path.GetTempPath(), "orchestrator-bench", Guid.NewGuid().ToString("N"));
        var adminKey = "report-benchmark-admin-" + Guid.NewGuid().ToString("N");

        // The factory looks for the server's content root beside a solution file; point it at the project folder.
        var repository = new DirectoryInfo(AppContext.BaseDirectory);
        while (repository is not null && !File.Exists(Path.Combine(repository.FullName, "Orchestrator.sln")))
        {
            repository = repository.Parent;
        }

        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_ORCHESTRATOR_SERVER",
            Path.Combine(repository?.FullName ?? Directory.GetCurrentDirectory(), "src", "Orchestrator.Server"));
        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("Orchestrator:DataDirectory", data);
            b.UseSetting("Orchestrator:SchedulerName", $"bench-{Guid.NewGuid():N}");
            b.UseSetting("Orchestrator:BootstrapAdminKey", adminKey);
            b.UseSetting("Logging:LogLevel:Default", "Warning");
        });
        var client = factory.CreateClient();
        client.Timeout = TimeSpan.FromMinutes(5);
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", adminKey);
        (await client.PostAsJsonAsync("/api/v1/groups", new { name = "bench", tags = new[] { "bench" } })).EnsureSuccessStatusCode();
        var window = await client.PostAsJsonAsync("/api/v1/windows", new
        {
            name = "bench window",
            cron = "0 0 3 1 1 ?",
            timeZone = "Etc/UTC",
            duration = "PT1H",
            cutoff = "PT10M",
            groups = new[] { "bench" },
            scan = new { enabled = true, maxConcurrency = "10%", maxErrors = 500 },
        });
        window.EnsureSuccessStatusCode();
        var windowId = (await window.Content.ReadFromJsonAsync<IdOnly>())!.Id;

        var clock = Stopwatch.StartNew();
        var seeder = new BigRunSeeder(Path.Combine(data, "orchestrator.db"), endpoints, rows);
        var runId = seeder.Seed(windowId, TimeProvider.System.GetUtcNow().AddDays(-1));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"seeded run {runId}: {endpoints:N0} endpoints, {endpoints * seeder.PeersEach:N0} peer-traffic rows ({seeder.PeersEach} peers each) in {clock.Elapsed.TotalSeconds:0.0} s"));

        var html = await TimeAsync($"/reports/runs/{runId}", "HTML report, first request (stores the final snapshot)", 1);
        await TimeAsync($"/reports/runs/{runId}", "HTML report", repeat);
        await TimeAsync($"/reports/runs/{runId}?page=50&tpage=2000", "HTML report, endpoint page 50, transfer page 2000", repeat);
        await TimeAsync($"/api/v1/runs/{runId}/report", "JSON report (all endpoint rows)", 3);
        await TimeAsync($"/api/v1/runs/{runId}/report.csv", "CSV, all endpoint rows", 3);
        await TimeAsync($"/api/v1/runs/{runId}/report/transfers.csv", "CSV, all transfer pairs", 1);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"HTML page size: {html.Length / 1024.0:0} KiB"));
        client.Dispose();
        await factory.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(data, recursive: true);
        async Task<string> TimeAsync(string path, string what, int times)
        {
            var samples = new List<double>();
            var body = "";
            for (var i = 0; i < times; i++)
            {
                var watch = Stopwatch.StartNew();
                using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
                response.EnsureSuccessStatusCode();
                body = await response.Content.ReadAsStringAsync();
                samples.Add(watch.Elapsed.TotalMilliseconds);
            }

            samples.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{what}: median {samples[samples.Count / 2]:0} ms, max {samples[^1]:0} ms (n={times}, {body.Length / 1024.0:0} KiB)"));
            return body;
        }

        int Option(string name, int fallback)
        {
            var at = Array.IndexOf(args, name);
            return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
        }

        return 0;
    }

    private sealed record IdOnly(long Id);
}
