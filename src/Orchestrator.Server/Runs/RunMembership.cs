using Orchestrator.Core.Enforcement;
using Orchestrator.Core.Groups;
using Orchestrator.Data.Groups;
using Orchestrator.Data.Runs;
using Orchestrator.Server.Endpoints;

namespace Orchestrator.Server.Runs;

/// <summary>Resolves a run's groups to endpoints at the moment it opens.</summary>
internal sealed class RunMembership(IGroupStore groups, EndpointDirectory endpoints, ILogger<RunMembership> log)
{
    public async Task<IReadOnlyList<RunMemberRecord>> FreezeAsync(RunRecord run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var byName = (await groups.ListAsync()).ToDictionary(g => g.Definition.Name, StringComparer.OrdinalIgnoreCase);
        var all = await endpoints.ListAsync();
        var members = new Dictionary<long, RunMember>();
        foreach (var name in run.Definition.Groups)
        {
            if (!byName.TryGetValue(name, out var group))
            {
                log.LogWarning("Run {RunId}: group \"{Group}\" no longer exists; its members are not part of the run", run.Id, name);
                continue;
            }

            foreach (var endpoint in GroupMembership.Resolve(group.Definition, all))
            {
                members.TryAdd(endpoint.Id, new RunMember(endpoint.Id, endpoint.Hostname, endpoint.Addresses));
            }
        }

        // Each member's allow-list is derived from the run's peer set (stored once, IRunStore.OpenAsync), not listed here.
        return members.Values.OrderBy(m => m.Hostname, StringComparer.OrdinalIgnoreCase)
            .Select(m => new RunMemberRecord(run.Id, m.EndpointId, m.Hostname, m.Addresses.Select(a => a.ToString()).ToList()))
            .ToList();
    }
}
