using System.Globalization;
using System.Security.Cryptography;
using System.Text;
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
internal sealed class DesiredStates(IRunStore runs, IScanStore scans, TimeProvider time)
{
    public async Task<(DesiredStateV1 State, IReadOnlyList<long> RunIds)> ForAsync(long endpointId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var open = await runs.ListOpenForEndpointAsync(endpointId, now, cancellationToken);
        var openings = new List<OpeningV1>();
        var identity = new StringBuilder();
        foreach (var (run, member) in open)
        {
            var seconds = new Opening(run.Id, run.Definition.Ports, [], run.PlannedEnd).SecondsRemaining(now);
            if (seconds <= 0 || member.AllowedPeers.Count == 0)
            {
                continue;
            }

            foreach (var port in run.Definition.Ports)
            {
                openings.Add(new OpeningV1(run.Id, port.Port, port.Transport, member.AllowedPeers, seconds));
                identity.Append(CultureInfo.InvariantCulture, $"{run.Id}|{port}|{run.PlannedEnd.ToUnixTimeMilliseconds()}|{string.Join(',', member.AllowedPeers)};");
            }
        }

        var peering = DeliveryOptimizationFor(open.Where(o => openings.Any(x => x.RunId == o.Run.Id)).Select(o => o.Run).ToList());
        identity.Append(CultureInfo.InvariantCulture, $"do:{peering.Mode}:{peering.GroupId};");
        var pending = await scans.ListPendingAsync(endpointId, cancellationToken);
        var scanRequests = pending.Select(s => new ScanRequestV1(s.ScanId, s.RunId, s.TimeoutSeconds)).ToList();
        identity.Append(CultureInfo.InvariantCulture, $"scans:{string.Join(',', scanRequests.Select(s => s.ScanId))}");

        var state = new DesiredStateV1(VersionOf(identity.ToString()), openings, peering, scanRequests);
        return (state, openings.Select(o => o.RunId).Distinct().ToList());
    }

    private static DeliveryOptimizationV1 DeliveryOptimizationFor(List<RunRecord> open)
    {
        if (open.Count == 0)
        {
            return new DeliveryOptimizationV1("HttpOnly", null);
        }

        // Overlapping runs: Group peering wins when any run asks for it, with the id of the earliest run's first group.
        var first = open.OrderBy(r => r.PlannedStart).ThenBy(r => r.Id).First();
        return open.Any(r => r.Definition.Peering == PeeringMode.Group)
            ? new DeliveryOptimizationV1("Group", GroupIds.DeliveryOptimizationGroup(first.Definition.Groups[0]).ToString())
            : new DeliveryOptimizationV1("Lan", null);
    }

    private static long VersionOf(string identity)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(identity));
        return Math.Max(1, BitConverter.ToInt64(hash, 0) & long.MaxValue);
    }
}
