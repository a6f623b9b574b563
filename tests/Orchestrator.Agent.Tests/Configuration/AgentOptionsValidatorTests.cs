using Orchestrator.Agent.Configuration;

namespace Orchestrator.Agent.Tests.Configuration;

public sealed class AgentOptionsValidatorTests
{
    private static AgentOptions Valid() => new() { ServerUrl = "https://orchestrator:8443" };

    [Fact]
    public void Defaults_with_a_server_url_are_valid_and_guard_7680()
    {
        Assert.True(new AgentOptionsValidator().Validate(null, Valid()).Succeeded);
        Assert.Equal([7680], Valid().EffectiveGuardedPorts);
        Assert.Equal("/var/lib/orchestrator-agent", Valid().StateDirectory);
        Assert.Equal(5, Valid().ReportIntervalSeconds);
    }

    [Theory]
    [InlineData(nameof(AgentOptions.ServerUrl), "not-a-url")]
    [InlineData(nameof(AgentOptions.ServerUrl), "https://node-a:8443,ftp://node-b")]
    [InlineData(nameof(AgentOptions.ServerUrl), " , ")]
    [InlineData(nameof(AgentOptions.PollWaitSeconds), "31")]
    [InlineData(nameof(AgentOptions.GuardedPorts), "70000")]
    [InlineData(nameof(AgentOptions.Addresses), "198.18.0.0/24")]
    [InlineData(nameof(AgentOptions.StateDirectory), "relative/dir")]
    [InlineData(nameof(AgentOptions.FirewallVerifyInterval), "00:00:00")]
    [InlineData(nameof(AgentOptions.FirewallVerifyInterval), "01:00:00")]
    [InlineData(nameof(AgentOptions.MaxPeerSetAddresses), "0")]
    [InlineData(nameof(AgentOptions.MaxPeerSetAddresses), "100000001")]
    public void A_bad_setting_is_refused_naming_the_setting(string setting, string value)
    {
        var options = Valid();
        switch (setting)
        {
            case nameof(AgentOptions.ServerUrl): options.ServerUrl = value; break;
            case nameof(AgentOptions.PollWaitSeconds): options.PollWaitSeconds = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
            case nameof(AgentOptions.GuardedPorts): options.GuardedPorts.Add(int.Parse(value, System.Globalization.CultureInfo.InvariantCulture)); break;
            case nameof(AgentOptions.Addresses): options.Addresses.Add(value); break;
            case nameof(AgentOptions.FirewallVerifyInterval): options.FirewallVerifyInterval = TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
            case nameof(AgentOptions.MaxPeerSetAddresses): options.MaxPeerSetAddresses = long.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
            default: options.StateDirectory = value; break;
        }

        var result = new AgentOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("Agent:" + setting, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Several_server_nodes_separated_by_commas_are_accepted_and_a_bad_one_is_named_by_its_position()
    {
        var options = Valid();
        options.ServerUrl = "https://node-a:8443, https://node-b:8443";
        Assert.True(new AgentOptionsValidator().Validate(null, options).Succeeded);

        options.ServerUrl = "https://node-a:8443,node-b:8443";
        var result = new AgentOptionsValidator().Validate(null, options);
        Assert.Contains("Agent:ServerUrl entry 2 'node-b:8443' is not an absolute http(s) URL", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void A_certificate_pin_needs_every_server_node_on_https()
    {
        var options = Valid();
        options.ServerUrl = "https://node-a:8443,http://node-b:8080";
        options.ServerCertificateSha256 = new string('a', 64);

        var result = new AgentOptionsValidator().Validate(null, options);

        Assert.Contains("Agent:ServerUrl 'http://node-b:8080/' is not https", result.FailureMessage, StringComparison.Ordinal);
    }
}
