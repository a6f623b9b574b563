using System.Globalization;
using System.Text.Json;

namespace Orchestrator.LoadHarness;

/// <summary>How every harness mode ends a run: its result line, its data, and its exit code.</summary>
internal static class RunEnd
{
    /// <summary>
    /// Prints <paramref name="result"/> as one JSON line (and appends it to <c>--out</c>), removes the data folder unless
    /// <c>--keep-data</c>, and returns 1 when requests were lost or a wait was given up: figures are for people, but such a
    /// run is still a broken benchmark, and the smoke runs in tests/run.sh must fail on it. Such a run also prints what
    /// failed and the servers' warnings, so a failure seen once (as in CI) can be understood without running it again.
    /// </summary>
    public static async Task<int> FinishAsync(
        object result, Settings settings, Func<ValueTask> stopServers, string dataDirectory, IEnumerable<string> gaveUp, FleetCounters counters)
    {
        var line = JsonSerializer.Serialize(result, Fleet.Json);
        Console.WriteLine(line);
        if (settings.Out is { } outPath)
        {
            await File.AppendAllTextAsync(outPath, line + Environment.NewLine, CancellationToken.None);
        }

        var problems = new List<string>(gaveUp);
        if (counters.PollErrors > 0 || counters.ReportErrors > 0)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"{counters.PollErrors} poll errors and {counters.ReportErrors} report errors"));
            problems.AddRange(counters.Failures.OrderBy(f => f.Value.FirstAtMs).Select(f => string.Create(
                CultureInfo.InvariantCulture, $"  {f.Value.Count} × {f.Key}, first at {DateTimeOffset.FromUnixTimeMilliseconds(f.Value.FirstAtMs):HH:mm:ss.fff}")));
        }

        if (!settings.KeepData)
        {
            await stopServers();
            if (problems.Count > 0)
            {
                problems.AddRange(ServerWarnings(dataDirectory));
            }

            Directory.Delete(dataDirectory, recursive: true);
        }

        foreach (var problem in problems)
        {
            Console.Error.WriteLine($"load harness: {problem}");
        }

        return problems.Count == 0 ? 0 : 1;
    }

    /// <summary>The last warnings and errors of every server log under <paramref name="dataDirectory"/>, with what follows each.</summary>
    private static IEnumerable<string> ServerWarnings(string dataDirectory)
    {
        foreach (var log in Directory.EnumerateFiles(dataDirectory, "server.log", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var lines = File.ReadAllLines(log);
            var picked = new List<string>();
            for (var i = 0; i < lines.Length; i++)
            {
                if (lines[i].StartsWith("warn:", StringComparison.Ordinal) || lines[i].StartsWith("fail:", StringComparison.Ordinal) ||
                    lines[i].StartsWith("crit:", StringComparison.Ordinal))
                {
                    picked.Add(lines[i]);
                    picked.AddRange(lines.Skip(i + 1).Take(2).Where(l => l.StartsWith(' ')));
                }
            }

            yield return $"{Path.GetRelativePath(dataDirectory, log)}: {picked.Count} warning lines, the last 30:";
            foreach (var line in picked.TakeLast(30))
            {
                yield return "  " + line;
            }
        }
    }
}
