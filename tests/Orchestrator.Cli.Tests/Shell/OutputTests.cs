using Orchestrator.Cli.Tests.Infrastructure;

namespace Orchestrator.Cli.Tests.Shell;

public sealed class OutputTests
{
    private const string Escape = "\u001b[";

    private const string Agents = """
        [{"agentId":"agt_0123456789abcdef0123456789abcdef","endpointId":1,"hostname":"a-rather-long-hostname-for-a-workstation.branch-office.corp.example",
          "agentVersion":"1.0.0-preview.20270101","enrolledAt":"2027-01-01T00:00:00Z","lastSeenAt":"2027-01-01T00:00:00Z","online":true,"revoked":false,
          "appliedVersion":"42","applyError":"nft: Error: Could not process rule: No such file or directory while applying a long batch of rules"}]
        """;

    [Fact]
    public async Task Colours_appear_only_on_a_terminal()
    {
        var onTerminal = await new CliRun { OutputIsTerminal = true }.RunAsync("validate", "-f", SiteFiles.Example);
        var piped = await new CliRun().RunAsync("validate", "-f", SiteFiles.Example);

        Assert.Contains(Escape, onTerminal.Stdout);
        Assert.DoesNotContain(Escape, piped.Stdout);
    }

    [Fact]
    public async Task No_color_turns_colours_off_even_on_a_terminal()
    {
        var result = await new CliRun { OutputIsTerminal = true }.With("NO_COLOR", "1").RunAsync("validate", "-f", SiteFiles.Example);

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.DoesNotContain(Escape, result.Stdout);
    }

    [Theory]
    [InlineData(60)]
    [InlineData(100)]
    public async Task Tables_fit_the_terminal_width(int columns)
    {
        await using var server = new RecordingServer(Agents);

        var result = await new CliRun(server.BaseAddress).With("COLUMNS", columns.ToString(System.Globalization.CultureInfo.InvariantCulture)).RunAsync("agents", "list");

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        Assert.Contains("1 agent(s), 1 online", result.Stdout);
        Assert.All(result.Stdout.Split('\n'), line => Assert.True(line.TrimEnd('\r').Length <= columns, $"{line.Length} > {columns}: {line}"));
    }

    [Fact]
    public async Task Json_output_is_one_parseable_document()
    {
        await using var server = new RecordingServer(Agents);

        var result = await new CliRun(server.BaseAddress).RunAsync("agents", "list", "-o", "json");

        Assert.Equal("agt_0123456789abcdef0123456789abcdef", result.Json()[0]!["agentId"]!.GetValue<string>());
    }

    [Fact]
    public async Task Every_command_has_help_with_an_example()
    {
        string[][] commands =
        [
            ["validate"], ["plan"], ["apply"], ["windows"], ["windows", "list"], ["windows", "next"], ["runs"], ["runs", "list"],
            ["report"], ["close"], ["agents"], ["agents", "list"], ["groups", "list"], ["endpoints", "list"], [],
            ["runs", "start"], ["runs", "show"], ["groups"], ["endpoints"], ["endpoints", "re-enrollable"],
            ["webhooks"], ["webhooks", "list"], ["webhooks", "create"], ["webhooks", "delete"], ["webhooks", "test"], ["webhooks", "deliveries"],
            ["keys"], ["keys", "list"], ["keys", "create"], ["keys", "revoke"], ["tokens"], ["tokens", "list"], ["tokens", "create"], ["tokens", "revoke"],
        ];
        foreach (var command in commands)
        {
            var result = await new CliRun().RunAsync([.. command, "--help"]);

            Assert.True(result.ExitCode == ExitCodes.Ok, $"{string.Join(' ', command)}: {result}");
            Assert.Contains("Usage:", result.Stdout);
            Assert.Contains("orchestrator ", result.Stdout[result.Stdout.IndexOf("Example", StringComparison.Ordinal)..]);
        }
    }
}
