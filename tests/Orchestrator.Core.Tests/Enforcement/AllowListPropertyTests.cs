using System.Net;
using Orchestrator.Core.Endpoints;
using Orchestrator.Core.Enforcement;
using Orchestrator.Core.Groups;

namespace Orchestrator.Core.Tests.Enforcement;

/// <summary>
/// The allow-list invariant over thousands of random sites: random endpoints (IPv4 and IPv6, shared, mapped and
/// unusable addresses mixed in), random groups (hostnames, CIDRs, tags) and overlapping runs of several groups.
/// For every run and member, nothing outside the run's other members, never a wildcard, never the member itself.
/// </summary>
public sealed class AllowListPropertyTests
{
    private const int Sites = 2_000;

    [Fact]
    public void NoAllowListEverHoldsAnAddressOutsideTheRunsOtherMembersAWildcardOrTheEndpointItself()
    {
        var checkedMembers = 0;
        for (var seed = 0; seed < Sites; seed++)
        {
            var random = new Random(seed);
            var endpoints = RandomEndpoints(random);
            var groups = Enumerable.Range(0, random.Next(1, 4)).Select(g => RandomGroup(random, endpoints, g)).ToList();

            // A run of 1-3 of the groups; overlapping runs are several such runs over the same endpoints.
            for (var run = 0; run < random.Next(1, 4); run++)
            {
                var runGroups = groups.Where(_ => random.Next(2) == 0).DefaultIfEmpty(groups[0]).ToList();
                var members = runGroups.SelectMany(g => GroupMembership.Resolve(g, endpoints))
                    .DistinctBy(e => e.Id)
                    .Select(e => new RunMember(e.Id, e.Hostname, e.Addresses))
                    .ToList();
                var allowed = AllowLists.For(members);

                foreach (var member in members)
                {
                    var own = member.Addresses.Select(Normal).ToHashSet();
                    var others = members.Where(m => m.EndpointId != member.EndpointId).SelectMany(m => m.Addresses).Select(Normal).ToHashSet();
                    foreach (var address in allowed[member.EndpointId])
                    {
                        var normal = Normal(address);
                        Assert.True(others.Contains(normal), $"seed {seed}: {member.Hostname} allows {address}, not another member's address");
                        Assert.False(own.Contains(normal), $"seed {seed}: {member.Hostname} allows its own address {address}");
                        Assert.True(PeerAddresses.IsUsable(address), $"seed {seed}: {member.Hostname} allows unusable {address}");
                        Assert.False(address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any), $"seed {seed}: wildcard");
                    }

                    checkedMembers++;
                }
            }
        }

        Assert.True(checkedMembers > 10_000, $"the property saw enough members ({checkedMembers})");
    }

    private static IPAddress Normal(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    private static List<EndpointInfo> RandomEndpoints(Random random)
    {
        var count = random.Next(2, 30);
        var pool = Enumerable.Range(0, count + 5).Select(_ => RandomAddress(random)).ToList();
        return Enumerable.Range(1, count).Select(i =>
        {
            // Addresses drawn from a small pool so that endpoints sometimes share one (a misconfiguration).
            var addresses = Enumerable.Range(0, random.Next(1, 4)).Select(_ => pool[random.Next(pool.Count)]).Distinct().ToList();
            var tags = Enumerable.Range(0, random.Next(0, 3)).Select(_ => $"t{random.Next(4)}").Distinct().ToList();
            return new EndpointInfo(i, $"pc-{i}", addresses, "windows", tags);
        }).ToList();
    }

    private static IPAddress RandomAddress(Random random) => random.Next(20) switch
    {
        0 => IPAddress.Any,
        1 => IPAddress.IPv6Any,
        2 => IPAddress.Loopback,
        3 => IPAddress.Parse($"::ffff:198.18.0.{random.Next(1, 255)}"),
        4 or 5 => IPAddress.Parse($"2001:db8::{random.Next(1, 0xffff):x}"),
        6 => IPAddress.Parse($"224.0.0.{random.Next(1, 255)}"),
        _ => IPAddress.Parse($"198.18.{random.Next(0, 2)}.{random.Next(1, 255)}"),
    };

    private static GroupDefinition RandomGroup(Random random, List<EndpointInfo> endpoints, int index) => new(
        $"g{index}",
        null,
        endpoints.Where(_ => random.Next(4) == 0).Select(e => random.Next(2) == 0 ? e.Hostname : e.Hostname.ToUpperInvariant()).ToList(),
        random.Next(3) == 0 ? [random.Next(2) == 0 ? "198.18.0.0/24" : "2001:db8::/64"] : [],
        random.Next(3) == 0 ? [$"t{random.Next(4)}"] : []);
}
