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
    [InlineData("999.1.1.1", "not a single IPv4 or IPv6 address")]
    [InlineData("10.0.0.0/8", "not a single IPv4 or IPv6 address")]
    [InlineData("banana", "not a single IPv4 or IPv6 address")]
    [InlineData("", "not a single IPv4 or IPv6 address")]
    [InlineData("0.0.0.0", "cannot be an endpoint address")]
    [InlineData("::", "cannot be an endpoint address")]
    [InlineData("127.0.0.1", "cannot be an endpoint address")]
    [InlineData("::1", "cannot be an endpoint address")]
    [InlineData("255.255.255.255", "cannot be an endpoint address")]
    [InlineData("239.1.2.3", "cannot be an endpoint address")]
    [InlineData("ff02::1", "cannot be an endpoint address")]
    public void AddressesAreSingleUnicastHosts(string address, string expected)
    {
        var error = Assert.Single(EndpointValidator.Validate("pc.example", ["198.18.0.1", address], null, null));

        Assert.Equal("addresses[1]", error.Field);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
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
    public void AnIPv4MappedAddressIsReadAsIPv4()
    {
        Assert.True(PeerAddresses.TryParseUsable("::ffff:198.18.0.9", out var address, out _));
        Assert.Equal("198.18.0.9", address.ToString());
        Assert.False(PeerAddresses.TryParseUsable("::ffff:127.0.0.1", out _, out _));
    }
}
