using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Orchestrator.Core.Endpoints;
using Orchestrator.Core.Enforcement;
using Orchestrator.Core.Groups;
using Orchestrator.Core.Windows;
using Orchestrator.Data.Runs;
using Orchestrator.Data.Scans;
using Orchestrator.Protocol;

namespace Orchestrator.Server.Agents;

/// <summary>
/// What an endpoint must enforce now: one opening per open run and port, with that run's allow-list for the
/// endpoint and the seconds left. The version is a hash of everything but the seconds, so it changes exactly
/// when the agent has something new to apply, survives restarts, and needs no counter.
/// </summary>
/// <remarks>
/// What the database says (open runs with this endpoint's membership, pending scans) is kept per endpoint until the
/// endpoint's <see cref="DesiredStateNotifier.Generation"/> moves (run opened or closed, scans dispatched), its own scan
/// outcome arrives (<see cref="Forget"/>) or <see cref="ReadFor"/> passes; time (ends, seconds left) is applied at every
/// call. When a run opens, 10,000 agents wake at once, each then acknowledges and polls again: one read instead of three.
/// </remarks>
internal sealed class DesiredStates(IRunStore runs, IScanStore scans, DesiredStateNotifier notifier, TimeProvider time)
{
    /// <summary>Longest a read is reused without a notification; a long-poll waits 25 s anyway.</summary>
    public static readonly TimeSpan ReadFor = TimeSpan.FromSeconds(15);

    private readonly ConcurrentDictionary<long, Snapshot> _snapshots = new();

    // Kept snapshots share one copy of each open run and of each peer address: 10,000 members of 100-endpoint groups
    // would otherwise hold 10,000 copies of the run definitions and a million address strings.
    private readonly ConcurrentDictionary<long, RunRecord> _runs = new();
    private readonly ConcurrentDictionary<string, string> _addresses = new(StringComparer.Ordinal);
    private int _runWrites;
    private int _addressWrites;

/// <returns>The state, the runs it holds, and when the first of those runs ends (the state changes by itself then).</returns>
    public async Task<(DesiredStateV1 State, IReadOnlyList<long> RunIds, DateTimeOffset? NextEnd)> ForAsync(long endpointId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var snapshot = await SnapshotAsync(endpointId, now, cancellationToken);
        var openings = new List<OpeningV1>();
        var identity = new StringBuilder();
        var holding = new List<RunRecord>();
        foreach (var (run, member) in snapshot.Open)
        {
            var seconds = new Opening(run.Id, run.Definition.Ports, [], run.PlannedEnd).SecondsRemaining(now);
            if (seconds <= 0 || member.AllowedPeers.Count == 0 || run.Definition.Ports.Count == 0)
            {
                continue;
            }

            holding.Add(run);
            foreach (var port in run.Definition.Ports)
            {
                openings.Add(new OpeningV1(run.Id, port.Port, port.Transport, member.AllowedPeers, seconds));
                identity.Append(CultureInfo.InvariantCulture, $"{run.Id}|{port}|{run.PlannedEnd.ToUnixTimeMilliseconds()}|{snapshot.PeersOf(run.Id)};");
            }
        }

        var peering = DeliveryOptimizationFor(holding);
        identity.Append(CultureInfo.InvariantCulture, $"do:{peering.Mode}:{peering.GroupId};");
        identity.Append(CultureInfo.InvariantCulture, $"scans:{string.Join(',', snapshot.Scans.Select(s => s.ScanId))}");

        var state = new DesiredStateV1(VersionOf(identity.ToString()), openings, peering, snapshot.Scans);
        return (state, holding.Select(r => r.Id).ToList(), holding.Count == 0 ? null : holding.Min(r => r.PlannedEnd));
    }

    /// <summary>The endpoint's own report changed what it must do (a scan finished): read again at the next call.</summary>
    public void Forget(long endpointId) => _snapshots.TryRemove(endpointId, out _);

    private async Task<Snapshot> SnapshotAsync(long endpointId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var generation = notifier.Generation(endpointId);
        if (_snapshots.TryGetValue(endpointId, out var kept) && kept.Generation == generation && now - kept.ReadAt < ReadFor && now >= kept.ReadAt)
        {
            return kept;
        }

        // A peer the address rule refuses (stored by a version before the rule was shared) is left out rather than
        // sent: the agent would refuse the whole state for it, and then nothing of the run would open.
        var open = (await runs.ListOpenForEndpointAsync(endpointId, now, cancellationToken))
            .Select(o => new OpenRun(Shared(o.Run), o.Member with
            {
                AllowedPeers = o.Member.AllowedPeers.Where(p => PeerAddresses.Problem(p, out _) is null).Select(Shared).ToList(),
            }))
            .ToList();
        var pending = await scans.ListPendingAsync(endpointId, cancellationToken);
        var snapshot = new Snapshot(
            generation,
            now,
            open,
            open.ToDictionary(o => o.Run.Id, o => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join(',', o.Member.AllowedPeers))))),
            pending.Select(s => new ScanRequestV1(s.ScanId, s.RunId, s.TimeoutSeconds)).ToList());
        _snapshots[endpointId] = snapshot;
        return snapshot;
    }

    private RunRecord Shared(RunRecord run)
    {
        // The common case (the run is kept and unchanged) takes no lock: AddOrUpdate and Count lock, and ConcurrentDictionary's
        // Count takes every lock of the table. Called for every snapshot read, they made reads contend with each other
        // (measured: 37% of the server's CPU in Monitor.Enter during a report burst at 10,000 agents).
        if (_runs.TryGetValue(run.Id, out var old) && old.UpdatedAt == run.UpdatedAt && old.State == run.State)
        {
            return old;
        }

        if (Interlocked.Increment(ref _runWrites) > 1_000)
        {
            // Runs that closed long ago: forget them all now and then; the next reads share again.
            Interlocked.Exchange(ref _runWrites, 0);
            _runs.Clear();
        }

        return _runs.AddOrUpdate(run.Id, run, (_, kept) => kept.UpdatedAt == run.UpdatedAt && kept.State == run.State ? kept : run);
    }

    private string Shared(string address)
    {
        if (_addresses.TryGetValue(address, out var kept))
        {
            return kept;
        }

        // Counts additions (an upper bound of the entries), not Count, which locks the whole table.
        if (Interlocked.Increment(ref _addressWrites) > 1_000_000)
        {
            Interlocked.Exchange(ref _addressWrites, 0);
            _addresses.Clear();
        }

        return _addresses.GetOrAdd(address, address);
    }

    private static DeliveryOptimizationV1 DeliveryOptimizationFor(List<RunRecord> open)
    {
        if (open.Count == 0)
        {
            return new DeliveryOptimizationV1(PeeringModeV1.HttpOnly, null);
        }

        // Overlapping runs: Group peering wins when any run asks for it, with the id of the earliest run's first group;
        // the other Delivery Optimization settings are the earliest run's too.
        var first = open.OrderBy(r => r.PlannedStart).ThenBy(r => r.Id).First();
        var settings = Windows.DeliveryOptimizationSettingsWire.From(first.Definition.DeliveryOptimization);
        return open.Any(r => r.Definition.Peering == PeeringMode.Group)
            ? new DeliveryOptimizationV1(PeeringModeV1.Group, GroupIds.DeliveryOptimizationGroup(first.Definition.Groups[0]).ToString(), settings)
            : new DeliveryOptimizationV1(PeeringModeV1.Lan, null, settings);
    }

    private static long VersionOf(string identity)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(identity));
        return Math.Max(1, BitConverter.ToInt64(hash, 0) & long.MaxValue);
    }

    private sealed record Snapshot(
        long Generation, DateTimeOffset ReadAt, IReadOnlyList<OpenRun> Open, Dictionary<long, string> Peers, IReadOnlyList<ScanRequestV1> Scans)
    {
        public string PeersOf(long runId) => Peers[runId];
    }
}
