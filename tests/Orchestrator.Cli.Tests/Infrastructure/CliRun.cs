using System.Text.Json;
using System.Text.Json.Nodes;
using Orchestrator.Testing.Server;

namespace Orchestrator.Cli.Tests.Infrastructure;

/// <summary>What one CLI invocation did.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public JsonNode Json() =>
        JsonNode.Parse(Stdout) ?? throw new JsonException($"stdout is not JSON:\n{Stdout}\nstderr:\n{Stderr}");

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>
/// Runs the CLI in-process through <see cref="Cli.RunAsync"/> with its own streams and environment: no test depends on
/// the machine's HOME, ORCHESTRATOR_* variables or terminal.
/// </summary>
public sealed class CliRun
{
    private readonly Dictionary<string, string?> _environment;

    public CliRun(Uri? server = null)
    {
        Home = Path.Combine(Path.GetTempPath(), "orchestrator-cli-tests", "home-" + Guid.NewGuid().ToString("n"));
        _environment = new Dictionary<string, string?>(StringComparer.Ordinal) { ["HOME"] = Home };
        if (server is not null)
        {
            _environment[CliEnvironment.Server] = server.ToString();
            _environment[CliEnvironment.ApiKey] = ServerProcess.AdminKey;
        }
    }

    /// <summary>An empty home folder: no config file unless a test writes one.</summary>
    public string Home { get; }

    public bool OutputIsTerminal { get; init; }

    public bool InputIsTerminal { get; init; }

    public string Input { get; init; } = "";

    public CliRun With(string name, string? value)
    {
        _environment[name] = value;
        return this;
    }

    public async Task<CliResult> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        using var stdin = new StringReader(Input);
        var console = new CliConsole
        {
            Out = stdout,
            Error = stderr,
            In = stdin,
            IsOutputTerminal = OutputIsTerminal,
            IsErrorTerminal = OutputIsTerminal,
            IsInputTerminal = InputIsTerminal,
            Width = OutputIsTerminal ? 100 : null,
        };
        var exitCode = await Cli.RunAsync(args, console, _environment, cancellationToken: TestContext.Current.CancellationToken);
        return new CliResult(exitCode, stdout.ToString(), stderr.ToString());
    }
}
