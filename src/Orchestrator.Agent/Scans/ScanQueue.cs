using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Enrollment;
using Orchestrator.Protocol;

namespace Orchestrator.Agent.Scans;

/// <summary>
/// Scan requests waiting to run. Each ScanId is claimed once and remembered in <c>StateDirectory/scans.json</c>:
/// the server repeats a request in every desired state until the run ends, and a restart must not rerun it.
/// At-most-once is the right side to err on: a scan is only a trigger.
/// </summary>
internal sealed class ScanQueue
{
    private readonly Channel<ScanRequestV1> pending = Channel.CreateUnbounded<ScanRequestV1>();
    private readonly Lock sync = new();
    private readonly string ledgerPath;
    private readonly int capacity;
    private readonly List<string> order;
    private readonly HashSet<string> seen;

    private readonly IStateDirectory stateDirectory;

    public ScanQueue(IOptions<AgentOptions> options, IStateDirectory? stateDirectory = null)
    {
        this.stateDirectory = stateDirectory ?? UnixStateDirectory.Instance;
        ledgerPath = Path.Combine(options.Value.StateDirectory, "scans.json");
        capacity = options.Value.RememberedScanIds;
        order = File.Exists(ledgerPath)
            ? JsonSerializer.Deserialize<List<string>>(File.ReadAllText(ledgerPath)) ?? []
            : [];
        seen = [.. order];
    }

    public ChannelReader<ScanRequestV1> Reader => pending.Reader;

    /// <summary>Queues <paramref name="request"/> unless its ScanId was seen before; returns whether it was queued.</summary>
    public bool Enqueue(ScanRequestV1 request)
    {
        lock (sync)
        {
            if (!seen.Add(request.ScanId))
            {
                return false;
            }

            order.Add(request.ScanId);
            if (order.Count > capacity)
            {
                seen.Remove(order[0]);
                order.RemoveAt(0);
            }

            stateDirectory.Ensure(Path.GetDirectoryName(ledgerPath)!);
            File.WriteAllText(ledgerPath, JsonSerializer.Serialize(order));
        }

        return pending.Writer.TryWrite(request);
    }
}
