using System.Collections.Concurrent;
using System.Text.Json;

namespace Orchestrator.LoadHarness;

/// <summary>What every virtual agent shares: the one HTTP client, the clock, report slots and counters.</summary>
internal sealed class Fleet(HttpClient http, TimeProvider time, int reportConcurrency, int trafficRowsPerReport) : IDisposable
{
    public static readonly JsonSerializerOptions Json = JsonSerializerOptions.Web;

    public HttpClient Http { get; } = http;

    /// <summary>Caps reports in flight, so reports and 10k parked long-polls stay within the process's descriptor limit.</summary>
    public SemaphoreSlim ReportSlots { get; } = new(reportConcurrency);

    public int TrafficRowsPerReport { get; } = trafficRowsPerReport;

    public FleetCounters Counters { get; } = new();

    public long NowMs() => time.GetUtcNow().ToUnixTimeMilliseconds();

    public void Dispose() => ReportSlots.Dispose();
}

internal sealed class FleetCounters
{
#pragma warning disable CA1051 // Interlocked needs fields.
    public long States;
    public long NotModified;
    public long PollErrors;
    public long Reports;
    public long ReportErrors;
    public long TrafficRows;
    public long PeerSetFetches;
    public long PeerSetBytes;
    public long PeerSetsInline;
#pragma warning restore CA1051

    /// <summary>Before a measured opening that follows another: the opening's peer-set figures count afresh.</summary>
    public void StartCycle()
    {
        Interlocked.Exchange(ref PeerSetFetches, 0);
        Interlocked.Exchange(ref PeerSetBytes, 0);
        Interlocked.Exchange(ref PeerSetsInline, 0);
    }

    /// <summary>Every failed poll or report by what it was ("poll: 503", "report: HttpIOException: …"), with when it first happened.</summary>
    public ConcurrentDictionary<string, (long Count, long FirstAtMs)> Failures { get; } = new();

    public void Failed(string request, string what, long nowMs) =>
        Failures.AddOrUpdate($"{request}: {what}", (1, nowMs), (_, seen) => (seen.Count + 1, seen.FirstAtMs));

    public static string Describe(Exception error) =>
        error.InnerException is { } inner ? $"{error.GetType().Name}: {error.Message} ({inner.GetType().Name}: {inner.Message})" : $"{error.GetType().Name}: {error.Message}";
}
