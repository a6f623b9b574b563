using Orchestrator.Cli.Tests.Infrastructure;

namespace Orchestrator.Cli.Tests.Commands;

/// <summary>keys and tokens against a real server process: a key made with the CLI works with its role and stops
/// working once revoked with the CLI.</summary>
public sealed class AccessCommandsTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private readonly CliRun _admin = new(server.BaseAddress);

    [Fact]
    public async Task A_viewer_key_created_with_the_cli_reads_but_cannot_change_and_stops_working_when_revoked()
    {
        var created = await _admin.RunAsync("keys", "create", "--name", "cli-viewer", "--role", "viewer", "-o", "json");
        Assert.True(created.ExitCode == ExitCodes.Ok, created.ToString());
        var key = created.Json()["key"]!.GetValue<string>();
        var id = created.Json()["id"]!.GetValue<long>();
        var viewer = new CliRun(server.BaseAddress).With(CliEnvironment.ApiKey, key);

        Assert.Equal(ExitCodes.Ok, (await viewer.RunAsync("windows", "list")).ExitCode);
        var refused = await viewer.RunAsync("keys", "list");
        Assert.Equal(ExitCodes.ServerError, refused.ExitCode);
        Assert.Contains("403", refused.Stderr);

        var listed = await _admin.RunAsync("keys", "list");
        Assert.Contains("cli-viewer", listed.Stdout);
        Assert.DoesNotContain(key, listed.Stdout);

        Assert.Equal(ExitCodes.Ok, (await _admin.RunAsync("keys", "revoke", id.ToString(System.Globalization.CultureInfo.InvariantCulture))).ExitCode);
        var revoked = await viewer.RunAsync("windows", "list");
        Assert.Equal(ExitCodes.ServerError, revoked.ExitCode);
        Assert.Contains("401", revoked.Stderr);
    }

    [Fact]
    public async Task An_enrollment_token_is_printed_once_and_listed_without_it()
    {
        var created = await _admin.RunAsync("tokens", "create", "--name", "cli lab", "--expires-in", "PT1H", "--single-use");

        Assert.True(created.ExitCode == ExitCodes.Ok, created.ToString());
        var token = created.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last().Trim();
        Assert.StartsWith("oet_", token, StringComparison.Ordinal);
        var listed = await _admin.RunAsync("tokens", "list", "-o", "json");
        var row = listed.Json().AsArray().Single(t => t!["name"]!.GetValue<string>() == "cli lab")!;
        Assert.True(row["singleUse"]!.GetValue<bool>());
        Assert.DoesNotContain(token, listed.Stdout);
    }

    [Fact]
    public async Task A_token_created_with_a_scope_lists_it_and_an_endpoint_marked_re_enrollable_shows_until_when()
    {
        var created = await _admin.RunAsync(
            "tokens", "create", "--name", "cli scoped", "--hostname-pattern", "lab-*", "--address-cidr", "198.18.4.0/24", "--tag", "lab", "--tag", "ring1", "-o", "json");
        Assert.True(created.ExitCode == ExitCodes.Ok, created.ToString());
        var listed = await _admin.RunAsync("tokens", "list", "-o", "json");
        var row = listed.Json().AsArray().Single(t => t!["name"]!.GetValue<string>() == "cli scoped")!;
        Assert.Equal("lab-*", row["hostnamePattern"]!.GetValue<string>());
        Assert.Equal(["198.18.4.0/24"], row["addressCidrs"]!.AsArray().Select(c => c!.GetValue<string>()));
        Assert.Equal(["lab", "ring1"], row["tags"]!.AsArray().Select(c => c!.GetValue<string>()));

        using var registered = await server.Client.PostAsync(
            "/api/v1/endpoints",
            new StringContent("""{"hostname":"cli-marked.example","addresses":["198.18.4.77"]}""", System.Text.Encoding.UTF8, "application/json"),
            TestContext.Current.CancellationToken);
        Assert.True(registered.IsSuccessStatusCode, $"{(int)registered.StatusCode}");
        var marked = await _admin.RunAsync("endpoints", "re-enrollable", "CLI-MARKED.example", "--expires-in", "PT2H", "-o", "json");
        Assert.True(marked.ExitCode == ExitCodes.Ok, marked.ToString());
        Assert.NotNull(marked.Json()["reEnrollableUntil"]);
        var withdrawn = await _admin.RunAsync("endpoints", "re-enrollable", "cli-marked.example", "--withdraw");
        Assert.True(withdrawn.ExitCode == ExitCodes.Ok, withdrawn.ToString());
        Assert.Equal(1, server.Scalar("SELECT COUNT(*) FROM audit_log WHERE action = 're-enrollment withdrawn'"));

        var unknown = await _admin.RunAsync("endpoints", "re-enrollable", "no-such-host.example");
        Assert.NotEqual(ExitCodes.Ok, unknown.ExitCode);
        Assert.Contains("no endpoint is named 'no-such-host.example'", unknown.Stderr, StringComparison.Ordinal);
    }
}
