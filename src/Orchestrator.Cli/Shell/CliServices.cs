using System.CommandLine;
using Orchestrator.Cli.Api;
using Orchestrator.Cli.Output;
using Orchestrator.Cli.Settings;
using Spectre.Console;

namespace Orchestrator.Cli.Shell;

/// <summary>What every command needs, created once per CLI run.</summary>
internal sealed class CliServices(CliConsole console, IReadOnlyDictionary<string, string?> environment, TimeProvider time)
{
    public CliConsole Console { get; } = console;

    public IReadOnlyDictionary<string, string?> Environment { get; } = environment;

    public TimeProvider Time { get; } = time;

    public Terminal Terminal { get; } = Terminal.Create(console, environment);

    public GlobalOptions Global { get; } = new();

    /// <summary>Runs a command body, turning failures into a message on stderr and the documented exit code.</summary>
    public void Bind(Command command, Func<Invocation, CancellationToken, Task<int>> body) =>
        command.SetAction(async (parse, ct) =>
        {
            using var invocation = new Invocation(this, parse);
            try
            {
                return await body(invocation, ct);
            }
            catch (CliException e)
            {
                WriteError(e.Message);
                return e.ExitCode;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                WriteError("cancelled");
                return 130;
            }
            catch (Exception e)
            {
                WriteError($"unexpected failure (a bug in the CLI; please report it): {e}");
                return ExitCodes.InternalError;
            }
        });

    public void WriteError(string message) =>
        Terminal.Error.MarkupLine($"[red]error:[/] {Markup.Escape(message)}");

    public void WriteNote(string message) =>
        Terminal.Error.MarkupLine($"[grey]note:[/] {Markup.Escape(message)}");

    public void WriteWarning(string message) =>
        Terminal.Error.MarkupLine($"[yellow]warning:[/] {Markup.Escape(message)}");
}

/// <summary>One command's run: its parse result, output mode and (on first use) settings and API client.</summary>
internal sealed class Invocation(CliServices services, ParseResult parse) : IDisposable
{
    private OrchestratorClient? _client;

    public CliServices Services { get; } = services;

    public ParseResult Parse { get; } = parse;

    public bool Json => Parse.GetValue(Services.Global.Output) == "json";

    public IAnsiConsole Out => Services.Terminal.Out;

    public TextWriter Stdout => Services.Console.Out;

    public OrchestratorClient Client => _client ??= new OrchestratorClient(
        SettingsLoader.Load(Parse.GetValue(Services.Global.Server), Parse.GetValue(Services.Global.Config), Services.Environment, Services.WriteWarning));

    public T Value<T>(Option<T> option) => Parse.GetValue(option)!;

    public T Value<T>(Argument<T> argument) => Parse.GetValue(argument)!;

    public void Dispose() => _client?.Dispose();
}
