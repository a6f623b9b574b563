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
}
