using System.Net;
using Orchestrator.Core.Enforcement;

namespace Orchestrator.Core.Tests.Enforcement;

/// <summary>
/// The peer-set model is exact: for thousands of random runs (IPv4 and IPv6, addresses shared by two members, mapped
/// IPv6 spellings, unusable addresses, contiguous and scattered), each member's peers derived from the run's one peer
/// set (the set without its own addresses) are exactly what <see cref="AllowLists.For"/> lists for it, in the same order.
/// </summary>
public sealed class RunPeerSetPropertyTests
{
    private const int Runs = 2_000;

    [Fact]
    public void EveryMembersPeersFromTheRunsPeerSetAreExactlyItsAllowList()
    {
        var checkedMembers = 0;
        for (var seed = 0; seed < Runs; seed++)
        {
            var random = new Random(seed);
            var members = Enumerable.Range(1, random.Next(1, 40))
                .Select(id => new RunMember(id, $"pc-{id}", Enumerable.Range(0, random.Next(0, 3)).Select(_ => RandomAddress(random)).ToList()))
                .ToList();
            var allowLists = AllowLists.For(members);

            var set = RunPeerSet.Of(members.SelectMany(m => m.Addresses));
            var stored = RunPeerSet.Parse(set.Canonical);

            Assert.Equal(set.Hash, stored.Hash);
            Assert.Equal(set.Count, set.Addresses().LongCount());
            foreach (var member in members)
            {
                var ownList = stored.OwnIn(member.Addresses);
                Assert.Equal(OwnReference(stored, member.Addresses), ownList);
                Assert.Equal(ownList, stored.OwnInText([.. member.Addresses.Select(a => a.ToString()), "not-an-address", ""]));
                var own = ownList.ToHashSet();
                var derived = stored.Addresses().Where(a => !own.Contains(a)).Select(a => a.ToString());
                Assert.Equal(allowLists[member.EndpointId].Select(a => a.ToString()), derived);
                Assert.All(allowLists[member.EndpointId], a => Assert.True(stored.Contains(a), $"seed {seed}: {a} in the set"));
                checkedMembers++;
            }
        }

        Assert.True(checkedMembers > 20_000, $"the property saw enough members ({checkedMembers})");
    }

    [Fact]
    public void AStoredListOfSingleAddressesInAnyOrderReadsAsTheExactRanges()
    {
        var set = RunPeerSet.Parse("198.18.0.3\n198.18.0.1\n2001:db8::1\n198.18.0.2\n127.0.0.1\nnot-an-address\n198.18.0.2\n198.18.0.9");

        Assert.Equal("198.18.0.1-198.18.0.3\n198.18.0.9\n2001:db8::1", set.Canonical);
        Assert.Equal(5, set.Count);
        Assert.False(set.Contains(IPAddress.Parse("198.18.0.4")));
        Assert.True(set.Contains(IPAddress.Parse("::ffff:198.18.0.2")));
    }

    // A member's own addresses in the set as the model defines them (canonical, distinct, IPv4 first, ascending),
    // written with query operators and big-endian numbers, independently of the implementation.
    private static List<IPAddress> OwnReference(RunPeerSet set, IEnumerable<IPAddress> addresses) =>
        addresses.Select(a => a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a).Where(set.Contains).Distinct()
            .OrderBy(a => a.AddressFamily).ThenBy(a => new System.Numerics.BigInteger(a.GetAddressBytes(), isUnsigned: true, isBigEndian: true))
            .ToList();

    private static IPAddress RandomAddress(Random random) => random.Next(10) switch
    {
        // Mostly a small pool, so that members share addresses and runs of consecutive addresses form.
        < 6 => IPAddress.Parse($"198.18.0.{random.Next(1, 30)}"),
        6 => IPAddress.Parse($"::ffff:198.18.0.{random.Next(1, 30)}"),
        7 => IPAddress.Parse($"2001:db8::{random.Next(1, 12):x}"),
        8 => IPAddress.Parse($"10.{random.Next(0, 3)}.{random.Next(0, 256)}.{random.Next(0, 256)}"),
        _ => random.Next(3) switch { 0 => IPAddress.Loopback, 1 => IPAddress.Parse("169.254.0.7"), _ => IPAddress.Parse("224.0.0.1") },
    };
}
