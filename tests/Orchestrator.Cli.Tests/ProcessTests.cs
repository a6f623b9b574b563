using System.Diagnostics;
using System.Text.Json.Nodes;
using Orchestrator.Cli.Tests.Infrastructure;
using Orchestrator.Testing.Server;

namespace Orchestrator.Cli.Tests;

/// <summary>The built CLI (orchestrator.dll in this bin) as its own process: real stdout/stderr pipes, real exit codes,
/// the process environment.</summary>
public sealed class ProcessTests(ServerFixture server) : IClassFixture<ServerFixture>, IDisposable
{
    private readonly SiteFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task The_built_cli_applies_the_example_and_lists_windows_as_json_over_pipes_without_colour()
    {
        var apply = await RunAsync("apply", "-f", SiteFiles.Example);
        var list = await RunAsync("windows", "list", "--output", "json");

        Assert.True(apply.ExitCode == ExitCodes.Ok, apply.ToString());
        Assert.Contains("Applied: 11 created", apply.Stdout);
        Assert.DoesNotContain("\u001b[", apply.Stdout);
        Assert.True(list.ExitCode == ExitCodes.Ok, list.ToString());
        Assert.Equal(4, JsonNode.Parse(list.Stdout)!.AsArray().Count);
    }

    [Fact]
    public async Task The_built_cli_exits_with_the_documented_codes()
    {
        var bad = _files.Write("bad.yaml", "windows:\n  - name: x\n    duration: 4h\n");

        Assert.Equal(ExitCodes.Invalid, (await RunAsync("validate", "-f", bad)).ExitCode);
        Assert.Equal(ExitCodes.Usage, (await RunAsync("close", "1")).ExitCode);
        Assert.Equal(ExitCodes.ServerError, (await RunAsync("report", "424242")).ExitCode);
        Assert.Equal(ExitCodes.ConnectionError, (await RunAsync("runs", "list", "--server", RefusedPort.Url().ToString())).ExitCode);
        Assert.Equal(ExitCodes.Ok, (await RunAsync("--help")).ExitCode);
    }

    private async Task<CliResult> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = _files.Directory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "orchestrator.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment[CliEnvironment.Server] = server.BaseAddress.ToString();
        start.Environment[CliEnvironment.ApiKey] = ServerProcess.AdminKey;
        start.Environment["HOME"] = _files.Directory;
        start.Environment["XDG_CONFIG_HOME"] = null;
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }
}
