using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Orchestrator.Agent.Identity;

/// <summary>Interface unicast addresses without loopback and link-local ones (those are never how peers reach
/// each other), or the configured override. Re-read on every call: DHCP can change them.</summary>
internal sealed class LocalAddresses(IReadOnlyList<string> configured) : ILocalAddresses
{
    public IReadOnlyList<string> Reported() => configured.Count > 0
        ? configured.Select(a => IPAddress.Parse(a).ToString()).ToList()
        : Discover().Select(a => a.ToString()).Order(StringComparer.Ordinal).ToList();

    public IReadOnlySet<IPAddress> Own() => configured.Select(IPAddress.Parse).Concat(Discover()).ToHashSet();

    private static IEnumerable<IPAddress> Discover() => NetworkInterface.GetAllNetworkInterfaces()
        .SelectMany(n => n.GetIPProperties().UnicastAddresses)
        .Select(u => u.Address)
        .Where(a => a.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)
        .Where(a => !IPAddress.IsLoopback(a) && !a.IsIPv6LinkLocal && !IsIPv4LinkLocal(a))
        .Distinct();

    private static bool IsIPv4LinkLocal(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetwork && address.GetAddressBytes() is [169, 254, ..];
}
