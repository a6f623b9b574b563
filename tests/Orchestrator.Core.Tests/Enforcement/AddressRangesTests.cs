using System.Net;
using Orchestrator.Core.Enforcement;

namespace Orchestrator.Core.Tests.Enforcement;

public sealed class AddressRangesTests
{
    [Fact]
    public void ConsecutiveAddressesBecomeOneRangeAndGapsSplitIt()
    {
        var ranges = AddressRanges.Compress(Parse("198.18.0.3", "198.18.0.1", "198.18.0.2", "198.18.0.5", "2001:db8::2", "2001:db8::1", "198.18.0.2"));

        Assert.Equal(["198.18.0.1-198.18.0.3", "198.18.0.5", "2001:db8::1-2001:db8::2"], ranges.Select(r => r.ToString()));
        Assert.True(AddressRanges.IsCanonical(ranges));
        Assert.Equal((UInt128)6, AddressRanges.Count(ranges));
    }

    [Fact]
    public void ARangeCrossesOctetBoundariesOnlyWhereEveryAddressIsPresent()
    {
        var addresses = Enumerable.Range(0, 10_000).Select(i => new IPAddress([198, 18, (byte)(i / 256), (byte)(i % 256)])).ToList();

        var ranges = AddressRanges.Compress(addresses);

        Assert.Equal(["198.18.0.0-198.18.39.15"], ranges.Select(r => r.ToString()));
        Assert.Equal(
            ["198.18.0.0-198.18.0.255", "198.18.1.1-198.18.39.15"],
            AddressRanges.Except(ranges, Parse("198.18.1.0")).Select(r => r.ToString()));
    }

    [Fact]
    public void RemovingAMembersOwnAddressesSplitsRangesAndDropsSingles()
    {
        var ranges = AddressRanges.Compress(Parse("198.18.0.1", "198.18.0.2", "198.18.0.3", "198.18.0.9", "2001:db8::1"));

        var peers = AddressRanges.Except(ranges, Parse("198.18.0.1", "198.18.0.9", "198.18.0.3"));

        Assert.Equal(["198.18.0.2", "2001:db8::1"], peers.Select(r => r.ToString()));
    }

    [Fact]
    public void TheHashIsOfTheCanonicalTextAndIgnoresInputOrder()
    {
        var ranges = AddressRanges.Compress(Parse("198.18.0.1", "198.18.0.2"));

        Assert.Equal("198.18.0.1-198.18.0.2", AddressRanges.Canonical(ranges));
        Assert.Equal(AddressRanges.Hash(ranges), AddressRanges.Hash(AddressRanges.Compress(Parse("198.18.0.2", "198.18.0.1", "198.18.0.2"))));
        Assert.NotEqual(AddressRanges.Hash(ranges), AddressRanges.Hash(AddressRanges.Compress(Parse("198.18.0.1", "198.18.0.3"))));

        // The protocol's golden peer set (tests/Orchestrator.Protocol.Tests/Golden/peer-set.json) carries this hash.
        var golden = new[] { "198.18.0.1-198.18.39.16", "198.19.0.5", "2001:db8::1-2001:db8::ff" }.Select(ParseRange).ToList();
        Assert.Equal("f059168b2aa5d48c5b18514baf1b2839d7ae0a052540b5bca4eb807f52093efc", AddressRanges.Hash(golden));
    }

    [Theory]
    [InlineData("198.18.0.1-198.18.0.1", "does not run upwards")]
    [InlineData("198.18.0.9-198.18.0.1", "does not run upwards")]
    [InlineData("198.18.0.1-2001:db8::1", "mixes IPv4 and IPv6")]
    [InlineData("126.255.255.1-128.0.0.1", "loopback")]
    [InlineData("223.255.255.1-240.0.0.1", "ends with")]
    [InlineData("223.0.0.1-223.255.255.255", null)]
    [InlineData("169.253.255.1-169.255.0.1", "link-local")]
    [InlineData("0.0.0.0-10.0.0.1", "starts with")]
    [InlineData("1.0.0.0-10.0.0.1", null)]
    [InlineData("::2-2001:db8::1", "IPv4-compatible")]
    [InlineData("2001:db8::1-ff02::1", "ends with")]
    [InlineData("fe7f::1-fe81::1", "ends with")]
    [InlineData("fd00::1-fe7f::1", null)]
    [InlineData("fd00::1-fec1::1", "ends with")]
    [InlineData("fd00::1-ffff::1", "ends with")]
    [InlineData("10.0.0.1/24", "starts with")]
    [InlineData("10.0.0.1-", "ends with")]
    [InlineData("-10.0.0.1", "starts with")]
    [InlineData("10.0.0.01-10.0.0.2", "starts with")]
    [InlineData("", "is empty")]
    public void ARangeIsRefusedWhenAnyAddressInItCouldNotBeAPeer(string text, string? problem)
    {
        var ok = AddressRange.TryParse(text, out var range, out var error);

        if (problem is null)
        {
            Assert.True(ok, error);
            Assert.Equal(text, range.ToString());
        }
        else
        {
            Assert.False(ok);
            Assert.Contains(problem, error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ARangeSpanningIPv4MappedSpaceIsRefusedThoughBothEndsAreUsable()
    {
        Assert.False(AddressRange.TryParse("::fffe:0:1-::1:0:0:1", out _, out var error));
        Assert.Contains("IPv4-mapped", error, StringComparison.Ordinal);
    }

    /// <summary>Against the set itself, for random sets: the ranges hold exactly the set (no address more or less),
    /// are canonical, minimal (no two could merge), parse back from their text, and removing addresses removes exactly
    /// those.</summary>
    [Fact]
    public void CompressionAndRemovalAreExactForRandomSets()
    {
        for (var seed = 0; seed < 2_000; seed++)
        {
            var random = new Random(seed);
            var set = new HashSet<IPAddress>();
            var count = random.Next(0, 300);
            for (var i = 0; i < count; i++)
            {
                // Small spaces around octet and family edges make runs, gaps and boundary crossings likely.
                set.Add(random.Next(3) switch
                {
                    0 => new IPAddress([198, 18, (byte)random.Next(0, 3), (byte)random.Next(250, 256)]),
                    1 => new IPAddress([10, 0, (byte)random.Next(0, 2), (byte)random.Next(0, 256)]),
                    _ => random.Next(0xfff0, 0x10010) is var n ? IPAddress.Parse($"2001:db8::{n >> 16:x}:{n & 0xffff:x}") : null!,
                });
            }

            var ranges = AddressRanges.Compress(set);
            Assert.True(AddressRanges.IsCanonical(ranges), $"seed {seed}");
            Assert.Equal(set.OrderBy(a => a.ToString()), Expand(ranges).OrderBy(a => a.ToString()));
            Assert.Equal(ranges, ranges.Select(r => ParseRange(r.ToString())));

            var removed = set.Where(_ => random.Next(5) == 0).Append(IPAddress.Parse("198.18.9.9")).ToList();
            var rest = AddressRanges.Except(ranges, removed);
            Assert.True(AddressRanges.IsCanonical(rest), $"seed {seed}");
            Assert.Equal(set.Except(removed).OrderBy(a => a.ToString()), Expand(rest).OrderBy(a => a.ToString()));
        }
    }

    [Fact]
    public void OverlappingOrAdjacentOrUnorderedRangesAreNotCanonical()
    {
        Assert.False(AddressRanges.IsCanonical([ParseRange("198.18.0.1-198.18.0.5"), ParseRange("198.18.0.6")]));
        Assert.False(AddressRanges.IsCanonical([ParseRange("198.18.0.1-198.18.0.5"), ParseRange("198.18.0.3")]));
        Assert.False(AddressRanges.IsCanonical([ParseRange("198.18.0.9"), ParseRange("198.18.0.3")]));
        Assert.False(AddressRanges.IsCanonical([ParseRange("2001:db8::1"), ParseRange("198.18.0.3")]));
        Assert.True(AddressRanges.IsCanonical([ParseRange("198.18.0.1-198.18.0.5"), ParseRange("198.18.0.7"), ParseRange("2001:db8::1")]));
    }

    private static IEnumerable<IPAddress> Expand(IEnumerable<AddressRange> ranges)
    {
        foreach (var range in ranges)
        {
            var bytes = range.First.GetAddressBytes();
            while (true)
            {
                var address = new IPAddress(bytes);
                yield return address;
                if (address.Equals(range.Last))
                {
                    break;
                }

                for (var i = bytes.Length - 1; i >= 0 && ++bytes[i] == 0; i--)
                {
                }
            }
        }
    }

    private static AddressRange ParseRange(string text) =>
        AddressRange.TryParse(text, out var range, out var error) ? range : throw new FormatException(error);

    private static List<IPAddress> Parse(params string[] addresses) => addresses.Select(IPAddress.Parse).ToList();
}
