using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Orchestrator.Core.Endpoints;

namespace Orchestrator.Agent.Identity;

/// <summary>Interface unicast addresses that the shared address rule accepts (no loopback, link-local and the like:
/// those are never how peers reach each other), or the configured override. Re-read on every call: DHCP can change them.</summary>
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
        .Where(a => !a.IsIPv6LinkLocal)

        // Without an interface scope (only link-local addresses need one), and only what the shared Core rule
        // accepts: the server refuses an enrollment that reports any other address.
        .Select(a => a.AddressFamily == AddressFamily.InterNetworkV6 ? new IPAddress(a.GetAddressBytes()) : a)
        .Where(PeerAddresses.IsUsable)
        .Distinct();
}
