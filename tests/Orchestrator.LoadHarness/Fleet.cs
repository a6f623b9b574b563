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
}
