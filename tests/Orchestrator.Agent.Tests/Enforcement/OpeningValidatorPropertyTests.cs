using System.Net;
using Orchestrator.Agent.Enforcement;
using Orchestrator.Protocol;

namespace Orchestrator.Agent.Tests.Enforcement;

/// <summary>
/// The agent's half of the allow-list invariant, over thousands of random desired states that mix good peers with
/// wildcards, ranges, the endpoint's own addresses and other garbage: a state with any bad peer is refused whole, and
/// a state the agent accepts allows only the listed single remote addresses.
/// </summary>
public sealed class OpeningValidatorPropertyTests
{
    private static readonly HashSet<IPAddress> Own = [IPAddress.Parse("198.18.0.1"), IPAddress.Parse("2001:db8::1")];
    private static readonly int[] Guarded = [7680];

    private static readonly string[] Bad =
    [
        "0.0.0.0", "::", "0.0.0.0/0", "::/0", "198.18.0.0/24", "any", "*", "198.18.0.1", "2001:db8::1", "127.0.0.1", "::1",
        "255.255.255.255", "224.0.0.1", "198.18.0.2-198.18.0.9", "10", "10.1", "0x0a.0.0.1", "", " ", "fe80::1%eth0", "::ffff:198.18.0.5",
    ];

    [Fact]
    public void AStateWithAnyBadPeerIsRefusedAndAnAcceptedStateAllowsOnlyListedRemoteAddresses()
    {
        var (refused, accepted) = (0, 0);
        for (var seed = 0; seed < 5_000; seed++)
        {
            var random = new Random(seed);
            var openings = Enumerable.Range(0, random.Next(1, 4)).Select(run => new OpeningV1(
                run + 1,
                7680,
                "tcp",
                Enumerable.Range(0, random.Next(1, 6)).Select(_ => random.Next(8) == 0 ? Bad[random.Next(Bad.Length)] : Good(random)).ToList(),
                random.Next(1, 3_600))).ToList();
            var listed = openings.SelectMany(o => o.AllowedPeers).ToList();
            var anyBad = listed.Any(p => Bad.Contains(p));

            if (anyBad)
            {
                Assert.Throws<OpeningRefusedException>(() => OpeningValidator.ToAllowances(openings, Guarded, Own));
                refused++;
                continue;
            }

            var allowances = OpeningValidator.ToAllowances(openings, Guarded, Own);
            Assert.All(allowances, a =>
            {
                Assert.Contains(a.Peer, listed);
                Assert.DoesNotContain(IPAddress.Parse(a.Peer), Own);
                Assert.Equal(7680, a.Port);
                Assert.Equal(openings.Where(o => o.AllowedPeers.Contains(a.Peer)).Max(o => o.SecondsRemaining), a.Seconds);
            });
            Assert.Equal(listed.Distinct().Count(), allowances.Count);
            accepted++;
        }

        Assert.True(refused > 500 && accepted > 500, $"both outcomes exercised (refused {refused}, accepted {accepted})");
    }

    private static string Good(Random random) =>
        random.Next(3) == 0 ? $"2001:db8::{random.Next(2, 0xfff):x}" : $"198.18.{random.Next(0, 2)}.{random.Next(2, 255)}";
}
