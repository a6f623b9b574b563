using System.Text.Json.Nodes;
using Orchestrator.Cli.Tests.Infrastructure;

namespace Orchestrator.Cli.Tests.Notifications;

/// <summary>Webhooks and window hooks declared in YAML, applied to a real server process, and the webhooks commands.</summary>
public sealed class WebhookConfigTests(ServerFixture server) : IClassFixture<ServerFixture>, IDisposable
{
    private const string Secret = "yaml-secret-0123456789abcdef";
    private readonly SiteFiles _files = new();
    private readonly CliRun _cli = new CliRun(server.BaseAddress).With("ONCALL_SECRET", Secret);

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task Apply_registers_declared_webhooks_and_window_hooks_a_second_apply_changes_nothing_and_no_output_shows_the_secret()
    {
        var path = _files.Write("site.yaml", Site(events: "[window.missed, run.notOpenedOnTime]", preOpenTimeout: "PT5S"));

        var first = await _cli.RunAsync("apply", "-f", path);

        Assert.True(first.ExitCode == ExitCodes.Ok, first.ToString());
        Assert.Contains("created webhook 'yaml on-call'", first.Stdout, StringComparison.Ordinal);
        var webhooks = JsonNode.Parse(await server.Client.GetStringAsync("/api/v1/webhooks", TestContext.Current.CancellationToken))!.AsArray();
        var webhook = Assert.Single(webhooks, w => (string?)w!["name"] == "yaml on-call")!;
        Assert.Equal("slack", (string?)webhook["format"]);
        Assert.Equal(["window.missed", "run.notOpenedOnTime"], webhook["events"]!.AsArray().Select(e => (string?)e));
        var windows = JsonNode.Parse(await server.Client.GetStringAsync("/api/v1/windows", TestContext.Current.CancellationToken))!.AsArray();
        var hooks = windows.Single(w => (string?)w!["name"] == "yaml hooked")!["hooks"]!;
        Assert.Equal("https://change.example/go", (string?)hooks["preOpen"]!["url"]);
        Assert.Equal("PT5S", (string?)hooks["preOpen"]!["timeout"]);
        Assert.Equal("PT10S", (string?)hooks["postClose"]!["timeout"]);

        var audit = server.AuditCount();
        var second = await _cli.RunAsync("apply", "-f", path);
        Assert.True(second.ExitCode == ExitCodes.Ok, second.ToString());
        Assert.Contains("No changes", second.Stdout, StringComparison.Ordinal);
        Assert.Equal(audit, server.AuditCount());

        _files.Write("site.yaml", Site(events: "[\"*\"]", preOpenTimeout: "PT20S"));
        var plan = await _cli.RunAsync("plan", "-f", path, "-o", "json");
        Assert.True(plan.ExitCode == ExitCodes.Ok, plan.ToString());
        var changed = plan.Json()["changes"]!.AsArray().Where(c => (string?)c!["action"] == "update").Select(c => $"{c!["kind"]}:{string.Join(",", c["fields"]!.AsArray().Select(f => (string?)f!["field"]))}");
        Assert.Equal(["window:hooks.preOpen", "webhook:events"], changed);

        var list = await _cli.RunAsync("webhooks", "list");
        Assert.True(list.ExitCode == ExitCodes.Ok, list.ToString());
        Assert.Contains("yaml on-call", list.Stdout, StringComparison.Ordinal);
        foreach (var output in new[] { first, second, plan, list })
        {
            Assert.DoesNotContain(Secret, output.Stdout + output.Stderr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Validate_names_bad_webhook_and_hook_fields_at_their_lines_and_a_missing_secret_variable_fails_the_plan()
    {
        var path = _files.Write("bad.yaml", """
            webhooks:
              - name: broken
                url: ftp://alerts.example/x
                events: [run.exploded]
                secretEnv: NOT_SET_ANYWHERE
            windows:
              - name: bad hooks
                groups: [g]
                cron: "0 0 22 ? * TUE#2"
                timeZone: Europe/Berlin
                duration: PT4H
                hooks:
                  preOpen: { url: /relative, timeout: PT5M }
            """);

        var validate = await _cli.RunAsync("validate", "-f", path);

        Assert.Equal(ExitCodes.Invalid, validate.ExitCode);
        Assert.Matches(@"bad\.yaml:3:\d+: error: url: 'ftp://alerts\.example/x' is not accepted", validate.Stderr);
        Assert.Contains("events[0]: 'run.exploded' is not an event", validate.Stderr, StringComparison.Ordinal);
        Assert.Contains("warning: secretEnv: the environment variable NOT_SET_ANYWHERE is not set", validate.Stderr, StringComparison.Ordinal);
        Assert.Matches(@"bad\.yaml:13:\d+: error: hooks\.preOpen\.url", validate.Stderr);
        Assert.Contains("hooks.preOpen.timeout: 'PT5M' is not accepted", validate.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Webhooks_create_reads_the_secret_from_the_environment_only()
    {
        var refused = await new CliRun(server.BaseAddress).RunAsync("webhooks", "create", "--name", "cli hook", "--url", "https://alerts.example/cli", "--event", "*");
        Assert.Equal(ExitCodes.Usage, refused.ExitCode);
        Assert.Contains(CliEnvironment.WebhookSecret, refused.Stderr, StringComparison.Ordinal);

        var created = await new CliRun(server.BaseAddress).With(CliEnvironment.WebhookSecret, Secret)
            .RunAsync("webhooks", "create", "--name", "cli hook", "--url", "https://alerts.example/cli", "--event", "window.missed", "-o", "json");

        Assert.True(created.ExitCode == ExitCodes.Ok, created.ToString());
        Assert.Equal("cli hook", (string?)created.Json()["name"]);
        Assert.DoesNotContain(Secret, created.Stdout, StringComparison.Ordinal);
        var deliveries = await _cli.RunAsync("webhooks", "deliveries", ((long)created.Json()["id"]!).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(deliveries.ExitCode == ExitCodes.Ok, deliveries.ToString());
    }

    private static string Site(string events, string preOpenTimeout) => $$"""
        groups:
          - name: yaml group
            tags: [yaml]
        windows:
          - name: yaml hooked
            groups: [yaml group]
            cron: "0 0 22 ? * TUE#2"
            timeZone: Europe/Berlin
            duration: PT4H
            hooks:
              preOpen: { url: https://change.example/go, timeout: {{preOpenTimeout}} }
              postClose: { url: https://change.example/done }
        webhooks:
          - name: yaml on-call
            url: https://alerts.example/hook
            format: slack
            events: {{events}}
            secretEnv: ONCALL_SECRET

        """;
}
