using Orchestrator.Cli.Tests.Infrastructure;
using Orchestrator.Testing.Server;

namespace Orchestrator.Cli.Tests.Shell;

public sealed class SettingsTests
{
    [Fact]
    public async Task The_api_key_from_the_environment_is_sent_as_a_bearer_token()
    {
        await using var server = new RecordingServer("[]");
        var cli = new CliRun(server.BaseAddress).With(CliEnvironment.ApiKey, "ok_env_key");

        var result = await cli.RunAsync("agents", "list");

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        Assert.Contains("Authorization: Bearer ok_env_key", server.Requests.Single(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task The_config_file_names_server_and_api_key_and_the_environment_key_wins_over_it()
    {
        await using var server = new RecordingServer("[]");
        var cli = new CliRun();
        WriteConfig(cli.Home, $"server: {server.BaseAddress}\napiKey: ok_file_key\n");

        var fromFile = await cli.RunAsync("agents", "list");
        var fromEnvironment = await cli.With(CliEnvironment.ApiKey, "ok_env_key").RunAsync("agents", "list");

        Assert.True(fromFile.ExitCode == ExitCodes.Ok, fromFile.ToString());
        Assert.Contains("Bearer ok_file_key", server.Requests[0], StringComparison.Ordinal);
        Assert.Contains("Bearer ok_env_key", server.Requests[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_api_key_sends_no_authorization_header()
    {
        await using var server = new RecordingServer("[]");

        await new CliRun(server.BaseAddress).With(CliEnvironment.ApiKey, null).RunAsync("agents", "list");

        Assert.DoesNotContain("Authorization:", server.Requests.Single(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task The_server_flag_beats_the_environment_which_beats_the_config_file()
    {
        await using var flag = new RecordingServer("[]");
        await using var environment = new RecordingServer("[]");
        await using var file = new RecordingServer("[]");
        var cli = new CliRun(environment.BaseAddress);
        WriteConfig(cli.Home, $"server: {file.BaseAddress}\n");

        await cli.RunAsync("agents", "list", "--server", flag.BaseAddress.ToString());
        await cli.RunAsync("agents", "list");
        await cli.With(CliEnvironment.Server, null).RunAsync("agents", "list");

        Assert.Single(flag.Requests);
        Assert.Single(environment.Requests);
        Assert.Single(file.Requests);
    }

    [Fact]
    public async Task An_unreachable_server_exits_4_and_says_where_the_address_came_from()
    {
        var port = RefusedPort.Pick();

        var result = await new CliRun(new Uri($"http://127.0.0.1:{port}")).RunAsync("windows", "list");

        Assert.True(result.ExitCode == ExitCodes.ConnectionError, result.ToString());
        Assert.Contains($"cannot reach the server at http://127.0.0.1:{port}/ (from ORCHESTRATOR_SERVER)", result.Stderr);
    }

    [Fact]
    public async Task A_config_file_with_an_unknown_key_is_a_usage_error_naming_its_line()
    {
        var cli = new CliRun();
        var path = WriteConfig(cli.Home, "server: http://127.0.0.1:1\napi_key: x\n");

        var result = await cli.RunAsync("agents", "list");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains($"{path}:2:1: unknown key 'api_key'; accepted: server, apiKey", result.Stderr);
    }

    private static string WriteConfig(string home, string yaml)
    {
        var path = Path.Combine(home, ".config", "orchestrator", "cli.yaml");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, yaml);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return path;
    }
}
