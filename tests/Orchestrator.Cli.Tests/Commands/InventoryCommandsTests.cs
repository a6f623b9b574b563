using System.Globalization;
using Orchestrator.Cli.Tests.Infrastructure;

namespace Orchestrator.Cli.Tests.Commands;

public sealed class InventoryCommandsTests
{
    private const string AgentId = "0123456789abcdef0123456789abcdef";

    // 2^53 + 1: a number JSON readers that use doubles cannot hold; the server sends it as a string.
    private const string Applied = "9007199254740993";

    private const string Agents = $$"""
        [{"agentId":"{{AgentId}}","endpointId":1,"hostname":"pc-0001.branch-office.corp.example","agentVersion":"1.0.0",
          "enrolledAt":"2027-01-01T00:00:00Z","lastSeenAt":"2027-01-01T00:00:05Z","online":true,"revoked":false,
          "appliedVersion":"{{Applied}}","applyError":null}]
        """;

    [Theory]
    [InlineData(60)]
    [InlineData(100)]
    [InlineData(180)]
    public async Task AgentsListShowsEachAgentIdAndAppliedVersionWholeOnOneLine(int columns)
    {
        await using var server = new RecordingServer(Agents);

        var result = await new CliRun(server.BaseAddress).With("COLUMNS", columns.ToString(CultureInfo.InvariantCulture)).RunAsync("agents", "list");

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        Assert.Contains(result.Stdout.Split('\n'), line => line.Contains(AgentId, StringComparison.Ordinal));
        Assert.Contains(result.Stdout.Split('\n'), line => line.Contains(Applied, StringComparison.Ordinal));
        Assert.All(result.Stdout.Split('\n'), line => Assert.True(line.TrimEnd('\r').Length <= columns, $"{line.Length} > {columns}: {line}"));
    }

    [Fact]
    public async Task AgentsListAsJsonKeepsTheAppliedVersionsDigits()
    {
        await using var server = new RecordingServer(Agents);

        var result = await new CliRun(server.BaseAddress).RunAsync("agents", "list", "-o", "json");

        Assert.Equal(Applied, result.Json()[0]!["appliedVersion"]!.GetValue<string>());
    }
}
