using System.Globalization;
using System.Net;
using Orchestrator.Agent.Enforcement;
using Orchestrator.Core.Endpoints;
using Orchestrator.Protocol;

namespace Orchestrator.Agent.Tests.Enforcement;

/// <summary>
/// Regression: the server stored <c>fe80::1%eth0</c> (as <c>%4</c>) and sent it to every member,
/// and each agent refused the whole desired state, so nothing opened. Over random address text of many forms (IPv4,
/// IPv6, mapped and compatible forms, zones, prefixes, ranges, whitespace, odd spellings): whatever the server's
/// endpoint validation accepts — in the form the server stores and sends — the agent accepts as a peer.
/// </summary>
public sealed class ServerAcceptedAddressPropertyTests
{
    private static readonly HashSet<IPAddress> Own = [IPAddress.Parse("203.0.113.250")];

    [Fact]
    public void EveryAddressTheServerAcceptsTheAgentAccepts()
    {
        var (accepted, refused) = (0, 0);
        for (var seed = 0; seed < 20_000; seed++)
        {
            var random = new Random(seed);
            var text = RandomAddressText(random);
            var errors = EndpointValidator.Validate("pc.example", [text], null, null);
            if (errors.Count > 0)
            {
                refused++;
                continue;
            }

            // What the server stores and later sends (EndpointsApi/AgentApi: the parsed address, canonical).
            Assert.True(PeerAddresses.TryParseUsable(text, out var stored, out _));
            var sent = stored.ToString();
            var opening = new OpeningV1(1, 7680, "tcp", [sent], 600);
            var allowances = OpeningValidator.ToAllowances([opening], [7680], Own);
            Assert.Equal(sent, Assert.Single(allowances).Peer);
            accepted++;
        }

        Assert.True(accepted > 2_000 && refused > 2_000, $"both outcomes exercised (accepted {accepted}, refused {refused})");
    }

    private static string RandomAddressText(Random random)
    {
        var address = random.Next(4) switch
        {
            0 => V4(random),
            1 => V6(random),
            2 => Special(random),
            _ => random.Next(2) == 0 ? V4(random) : V6(random),
        };

        var text = random.Next(14) switch
        {
            0 => address.MapToIPv6().ToString(),                                        // ::ffff:a.b.c.d
            1 => "::" + address.MapToIPv4().ToString(),                                  // IPv4-compatible
            2 => address + "%" + (random.Next(2) == 0 ? "eth0" : random.Next(1, 9).ToString(CultureInfo.InvariantCulture)),
            3 => address + "/" + random.Next(0, 129).ToString(CultureInfo.InvariantCulture),
            4 => (random.Next(2) == 0 ? " " : "") + address + (random.Next(2) == 0 ? "\t" : "\n"),
            5 => address.ToString().ToUpperInvariant(),
            6 => Expanded(address),
            7 => address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? Shortened(address) : "[" + address + "]",
            8 => address + "-" + V4(random),
            _ => address.ToString(),
        };
        return text;
    }

    private static IPAddress V4(Random random)
    {
        var bytes = new byte[4];
        random.NextBytes(bytes);
        if (random.Next(3) == 0)
        {
            bytes[0] = (byte)random.Next(1, 224);
        }

        return new IPAddress(bytes);
    }

    private static IPAddress V6(Random random)
    {
        var bytes = new byte[16];
        random.NextBytes(bytes);
        if (random.Next(2) == 0)
        {
            // Zero runs, so "::" compression shows up in many places.
            var start = random.Next(16);
            Array.Clear(bytes, start, random.Next(0, 16 - start));
        }

        if (random.Next(3) == 0)
        {
            (bytes[0], bytes[1]) = (0x20, 0x01);
        }

        return new IPAddress(bytes);
    }

    private static IPAddress Special(Random random) => IPAddress.Parse(random.Next(14) switch
    {
        0 => "0.0.0.0",
        1 => "0.1.2.3",
        2 => "127.0.0.1",
        3 => "169.254.1.1",
        4 => "224.0.0.251",
        5 => "255.255.255.255",
        6 => "::",
        7 => "::1",
        8 => "fe80::1",
        9 => "ff02::1",
        10 => "fec0::1",
        11 => "240.1.2.3",
        12 => "fd00::1",
        _ => "198.18.0.7",
    });

    private static string Expanded(IPAddress address) =>
        address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? string.Join(':', Enumerable.Range(0, 8).Select(i => ((address.GetAddressBytes()[2 * i] << 8) | address.GetAddressBytes()[(2 * i) + 1]).ToString("x4", CultureInfo.InvariantCulture)))
            : string.Join('.', address.GetAddressBytes().Select(b => b.ToString("D3", CultureInfo.InvariantCulture)));

    private static string Shortened(IPAddress address)
    {
        var b = address.GetAddressBytes();
        return string.Create(CultureInfo.InvariantCulture, $"{b[0]}.{(b[1] << 16) | (b[2] << 8) | b[3]}");
    }
}
