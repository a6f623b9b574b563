using System.Net;
using Orchestrator.Core.Endpoints;

namespace Orchestrator.Core.Enforcement;

public static class AllowLists
{
    /// <summary>
    /// For each member, the addresses it may accept the peering port from: every other member's usable
    /// addresses, never its own, never a wildcard. An address two endpoints share (a misconfiguration)
    /// is left out for both rather than letting an endpoint allow itself.
    /// </summary>
    public static IReadOnlyDictionary<long, IReadOnlyList<IPAddress>> For(IReadOnlyList<RunMember> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        var result = new Dictionary<long, IReadOnlyList<IPAddress>>(members.Count);
        foreach (var member in members)
        {
            var own = new HashSet<IPAddress>(member.Addresses.Select(Canonical));
            result[member.EndpointId] = members
                .Where(other => other.EndpointId != member.EndpointId)
                .SelectMany(other => other.Addresses.Select(Canonical))
                .Where(a => PeerAddresses.IsUsable(a) && !own.Contains(a))
                .Distinct()
                .OrderBy(a => a.AddressFamily)
                .ThenBy(a => a.GetAddressBytes(), ByteOrder.Instance)
                .ToList();
        }

        return result;
    }

    /// <summary>::ffff:198.18.0.1 is 198.18.0.1: compared in one spelling, an endpoint cannot allow itself in the other.</summary>
    private static IPAddress Canonical(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
