using Orchestrator.Core.Endpoints;

namespace Orchestrator.Core.Tests.Endpoints;

public sealed class EndpointValidatorTests
{
    [Fact]
    public void AnEndpointWithAHostnameAddressesOsAndTagsIsValid()
    {
        Assert.Empty(EndpointValidator.Validate("pc-0001.corp.example", ["198.18.0.1", "2001:db8::1"], "windows", ["ring1", "site=berlin"]));
        Assert.Empty(EndpointValidator.Validate("PC0001", ["198.18.0.1"], null, null));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("bad_host")]
    [InlineData("-leading.example")]
    [InlineData("trailing-.example")]
    [InlineData("double..dot")]
    [InlineData("space host")]
    public void HostnamesAreDnsNames(string? hostname)
    {
        Assert.Equal("hostname", Assert.Single(EndpointValidator.Validate(hostname, ["198.18.0.1"], null, null)).Field);
    }

    [Fact]
    public void AHostnameLabelHasAtMost63Characters()
    {
        Assert.True(Hostnames.IsValid(new string('a', 63) + ".example"));
        Assert.False(Hostnames.IsValid(new string('a', 64) + ".example"));
        Assert.False(Hostnames.IsValid(string.Join('.', Enumerable.Repeat(new string('a', 63), 4)) + ".x"));
    }

    [Theory]
    [InlineData("999.1.1.1", "not an IP address")]
    [InlineData("10.0.0.0/8", "range, prefix")]
    [InlineData("198.18.0.2-198.18.0.9", "range, prefix")]
    [InlineData("banana", "not an IP address")]
    [InlineData("", "empty")]
    [InlineData("0.0.0.0", "unspecified")]
    [InlineData("0.1.2.3", "0.0.0.0/8")]
    [InlineData("::", "unspecified")]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("127.9.9.9", "loopback")]
    [InlineData("::1", "loopback")]
    [InlineData("255.255.255.255", "broadcast")]
    [InlineData("240.0.0.1", "reserved")]
    [InlineData("239.1.2.3", "multicast")]
    [InlineData("ff02::1", "multicast")]
    [InlineData("169.254.10.20", "link-local")]
    [InlineData("fe80::1", "link-local")]
    [InlineData("febf::1", "link-local")]
    [InlineData("fec0::1", "site-local")]
    [InlineData("fe80::1%eth0", "scoped")]
    [InlineData("fe80::1%4", "scoped")]
    [InlineData("2001:db8::1%1", "scoped")]
    [InlineData("::ffff:198.18.0.9", "IPv4-mapped")]
    [InlineData("::ffff:c612:9", "IPv4-mapped")]
    [InlineData("::198.18.0.9", "IPv4-compatible")]
    [InlineData("10.1", "dotted-quad")]
    [InlineData("0x0a.0.0.1", "dotted-quad")]
    [InlineData("198.010.0.1", "dotted-quad")]
    [InlineData("2001:DB8::1", "write it as 2001:db8::1")]
    [InlineData("2001:db8:0:0:0:0:0:1", "write it as 2001:db8::1")]
    [InlineData(" 198.18.0.1", "whitespace")]
    [InlineData("198.18.0.1\n", "whitespace")]
    [InlineData("[2001:db8::1]", "write it as 2001:db8::1")]
    [InlineData("[2001:db8::1]:7680", "write it as 2001:db8::1")]
    public void AddressesAreSingleUnicastHostsInCanonicalForm(string address, string expected)
    {
        address = address.Replace("\\n", "\n", StringComparison.Ordinal);
        var error = Assert.Single(EndpointValidator.Validate("pc.example", ["198.18.0.1", address], null, null));

        Assert.Equal("addresses[1]", error.Field);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("198.18.0.1")]
    [InlineData("10.0.0.1")]
    [InlineData("1.0.0.0")]
    [InlineData("223.255.255.254")]
    [InlineData("2001:db8::1")]
    [InlineData("fd00::5")]
    [InlineData("2a00:1450:4001:81c::200e")]
    public void UnicastAddressesInCanonicalFormAreAccepted(string address)
    {
        Assert.True(PeerAddresses.TryParseUsable(address, out var parsed, out var error), error);
        Assert.Equal(address, parsed.ToString());
    }

    [Fact]
    public void AnEndpointHasOneTo32Addresses()
    {
        Assert.Equal("addresses", Assert.Single(EndpointValidator.Validate("pc.example", [], null, null)).Field);
        Assert.Equal("addresses", Assert.Single(EndpointValidator.Validate("pc.example", null, null, null)).Field);
        var many = Enumerable.Range(1, 33).Select(i => $"198.18.0.{i}").ToList();
        Assert.Equal("addresses", Assert.Single(EndpointValidator.Validate("pc.example", many, null, null)).Field);
        Assert.Empty(EndpointValidator.Validate("pc.example", many[..32], null, null));
    }

    [Fact]
    public void OsAndTagsAreBounded()
    {
        var errors = EndpointValidator.Validate("pc.example", ["198.18.0.1"], new string('x', 65), ["ok", "not ok", new string('t', 65)]);

        Assert.Equal(["os", "tags[1]", "tags[2]"], errors.Select(e => e.Field));
    }

    [Fact]
    public void AStoredAddressWithAZoneOrAMappedFormIsNotUsable()
    {
        Assert.False(PeerAddresses.IsUsable(System.Net.IPAddress.Parse("fe80::1%4")));
        Assert.False(PeerAddresses.IsUsable(System.Net.IPAddress.Parse("2001:db8::1%4")));
        Assert.False(PeerAddresses.IsUsable(System.Net.IPAddress.Parse("::ffff:198.18.0.9")));
        Assert.True(PeerAddresses.IsUsable(System.Net.IPAddress.Parse("2001:db8::1")));
    }
}
