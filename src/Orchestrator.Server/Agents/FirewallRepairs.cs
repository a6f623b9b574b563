using System.Globalization;
using Orchestrator.Core;
using Orchestrator.Data.Audit;
using Orchestrator.Protocol;

namespace Orchestrator.Server.Agents;

/// <summary>
/// An agent re-installed firewall rules that someone else on the endpoint removed or altered (<see cref="FirewallRepairV1"/>).
/// The repair is audited on the endpoint and on every run the endpoint is open for, so it appears in that run's
/// timeline and its report: for the seconds before the repair the port may have been open to anyone.
/// </summary>
internal static class FirewallRepairs
{
    public const string Action = Core.Reports.RunAnomalies.FirewallRepairedAction;

    /// <summary>Most repairs in one report; the agent holds at most this many between reports.</summary>
    public const int MaxPerReport = 20;

    public const int MaxFindingLength = 500;

    public static void Validate(IReadOnlyList<FirewallRepairV1?> repairs, List<FieldError> errors)
    {
        if (repairs.Count > MaxPerReport)
        {
            errors.Add(new("repairs", $"{repairs.Count} repairs; at most {MaxPerReport} per report"));
            return;
        }

        for (var i = 0; i < repairs.Count; i++)
        {
            var field = string.Create(CultureInfo.InvariantCulture, $"repairs[{i}]");
            if (repairs[i] is not { } repair)
            {
                errors.Add(new(field, "a repair object is required"));
                continue;
            }

            if (string.IsNullOrWhiteSpace(repair.Finding) || repair.Finding.Length > MaxFindingLength || repair.Finding.Any(char.IsControl))
            {
                errors.Add(new($"{field}.finding", $"required; 1-{MaxFindingLength} characters without control characters"));
            }

            if (repair.OpeningsRestored is < 0 or > 100_000)
            {
                errors.Add(new($"{field}.openingsRestored", $"{repair.OpeningsRestored} is out of range; accepted 0-100000"));
            }
        }
    }

    public static async Task RecordAsync(
        AgentIdentity agent, IReadOnlyList<FirewallRepairV1> repairs, DesiredStates states, IAuditLog audit, DateTimeOffset now, CancellationToken ct)
    {
        var (_, runIds, _) = await states.ForAsync(agent.EndpointId, ct);
        var actor = $"agent:{agent.AgentId}";
        var endpointId = agent.EndpointId.ToString(CultureInfo.InvariantCulture);
        foreach (var repair in repairs)
        {
            var detail = new { endpointId = agent.EndpointId, hostname = agent.Hostname, finding = repair.Finding, openingsRestored = repair.OpeningsRestored };
            await audit.AppendAsync(actor, "endpoint", endpointId, Action, detail, now, ct);
            foreach (var runId in runIds)
            {
                await audit.AppendAsync(actor, "run", runId.ToString(CultureInfo.InvariantCulture), Action, detail, now, ct);
            }
        }
    }
}
