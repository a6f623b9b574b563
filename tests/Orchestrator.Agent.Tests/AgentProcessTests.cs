using Orchestrator.Testing.Lab;

namespace Orchestrator.Agent.Tests;

/// <summary>The built agent executable, as systemd would run it.</summary>
[Collection(LabSerial.Name)]
public sealed class AgentProcessTests : IDisposable
{
    private readonly string stateDirectory = Path.Combine(Path.GetTempPath(), "orchestrator-agent-state-" + Guid.NewGuid().ToString("N"));

    private static string AgentDll => Path.Combine(AppContext.BaseDirectory, "orchestrator-agent.dll");

    public void Dispose()
    {
        if (Directory.Exists(stateDirectory))
        {
            Directory.Delete(stateDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task The_agent_exits_non_zero_with_a_clear_message_when_nft_is_missing()
    {
        var run = await Commands.RunAsync(Commands.DotnetHost,
            [AgentDll, "--server-url", "http://198.18.0.250:9", "--state-dir", stateDirectory, "--token", "t", "--nft", "/nonexistent/nft"],
            TimeSpan.FromSeconds(60));

        Assert.Equal(3, run.ExitCode);
        Assert.Contains("cannot enforce, refusing to run", run.StandardError, StringComparison.Ordinal);
        Assert.Contains("/nonexistent/nft", run.StandardError, StringComparison.Ordinal);
        Assert.False(Directory.Exists(stateDirectory), "the agent went on to enroll although it cannot enforce");
    }

    [Fact]
    public async Task The_agent_refuses_invalid_settings_from_the_environment_naming_the_setting()
    {
        var run = await Commands.RunAsync(Commands.DotnetHost,
            [AgentDll, "--server-url", "http://198.18.0.250:9", "--state-dir", stateDirectory],
            TimeSpan.FromSeconds(60),
            environment: new Dictionary<string, string> { ["ORCHESTRATOR_AGENT__POLLWAITSECONDS"] = "31" });

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("Agent:PollWaitSeconds is 31; accepted 1..30", run.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_agent_closes_the_port_before_contacting_the_server_and_it_stays_closed_after_the_agent_stops()
    {
        LabPrerequisites.Require();
        await using var lab = await NetworkLab.CreateAsync(2);
        await PeerContent.StartServerAsync(lab, "h1", 1000);
        Assert.Equal("completed", (await PeerContent.FetchAsync(lab, "h2", lab["h1"].Address)).Outcome);

        // Nobody answers at 198.18.0.250: the agent can only ever have closed the port on its own.
        var agent = lab.StartProcess("h1", Commands.DotnetHost, AgentDll,
            "--server-url", "http://198.18.0.250:9", "--state-dir", stateDirectory, "--token", "t", "--nft", LabPrerequisites.NftPath);
        await agent.WaitForLineAsync(l => l.Contains("Firewall closed", StringComparison.Ordinal), TimeSpan.FromSeconds(60));

        Assert.Equal("timeout", (await PeerContent.FetchAsync(lab, "h2", lab["h1"].Address)).Outcome);

        await agent.TerminateAsync();
        await agent.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("timeout", (await PeerContent.FetchAsync(lab, "h2", lab["h1"].Address)).Outcome);
    }
}
