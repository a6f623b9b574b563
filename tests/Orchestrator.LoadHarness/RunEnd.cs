using System.Globalization;
using System.Text.Json;

namespace Orchestrator.LoadHarness;

/// <summary>How every harness mode ends a run: its result line, its data, and its exit code.</summary>
internal static class RunEnd
{
    /// <summary>
    /// Prints <paramref name="result"/> as one JSON line (and appends it to <c>--out</c>), removes the data folder unless
    /// <c>--keep-data</c>, and returns 1 when requests were lost or a wait was given up: figures are for people, but such a
    /// run is still a broken benchmark, and the smoke runs in tests/run.sh must fail on it.
    /// </summary>
    public static async Task<int> FinishAsync(
        object result, Settings settings, Func<ValueTask> stopServers, string dataDirectory, IEnumerable<string> gaveUp, long pollErrors, long reportErrors)
    {
        var line = JsonSerializer.Serialize(result, Fleet.Json);
        Console.WriteLine(line);
        if (settings.Out is { } outPath)
        {
            await File.AppendAllTextAsync(outPath, line + Environment.NewLine, CancellationToken.None);
        }

        if (!settings.KeepData)
        {
            await stopServers();
            Directory.Delete(dataDirectory, recursive: true);
        }

        var problems = new List<string>(gaveUp);
        if (pollErrors > 0 || reportErrors > 0)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"{pollErrors} poll errors and {reportErrors} report errors"));
        }

        foreach (var problem in problems)
        {
            Console.Error.WriteLine($"load harness: {problem}");
        }

        return problems.Count == 0 ? 0 : 1;
    }
}
