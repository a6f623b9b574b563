using System.Net;
using Orchestrator.Core.Endpoints;

namespace Orchestrator.Core.Groups;

public static class GroupMembership
{
    /// <summary>The endpoints in <paramref name="group"/>, in the order given.</summary>
    public static IReadOnlyList<EndpointInfo> Resolve(GroupDefinition group, IEnumerable<EndpointInfo> endpoints)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(endpoints);
        var hostnames = new HashSet<string>(group.StaticMembers, StringComparer.OrdinalIgnoreCase);
        var tags = new HashSet<string>(group.Tags, StringComparer.OrdinalIgnoreCase);
        var networks = group.Cidrs
            .Select(c => GroupValidator.TryParseCidr(c, out var n, out _) ? n : (IPNetwork?)null)
            .OfType<IPNetwork>()
            .ToArray();

        return endpoints.Where(e =>
                hostnames.Contains(e.Hostname)
                || e.Tags.Any(tags.Contains)
                || e.Addresses.Any(a => networks.Any(n => n.Contains(a))))
            .ToList();
    }
}
