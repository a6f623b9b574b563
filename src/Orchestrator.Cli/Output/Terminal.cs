using Spectre.Console;

namespace Orchestrator.Cli.Output;

/// <summary>
/// Spectre consoles over the CLI's streams. Colour and ANSI only on a terminal and never when NO_COLOR is set (any
/// value, https://no-color.org) or TERM=dumb; width from COLUMNS, else the terminal, else 120 so that piped tables are
/// not squeezed to 80 columns.
/// </summary>
internal sealed class Terminal
{
    public const int PipedWidth = 120;

    /// <summary>Error lines are never wrapped: "file:line:column: error: …" must stay one line for editors and grep.</summary>
    public const int ErrorWidth = 4096;

    private Terminal(IAnsiConsole output, IAnsiConsole error, bool canPrompt, bool isLive)
    {
        Out = output;
        Error = error;
        CanPrompt = canPrompt;
        IsLive = isLive;
    }

    public IAnsiConsole Out { get; }

    public IAnsiConsole Error { get; }

    /// <summary>Both input and output are a terminal: a person can answer a question.</summary>
    public bool CanPrompt { get; }

    /// <summary>Output is a terminal that may be redrawn (progress bars).</summary>
    public bool IsLive { get; }

    public static Terminal Create(CliConsole console, IReadOnlyDictionary<string, string?> environment)
    {
        var noColor = environment.ContainsKey(CliEnvironment.NoColor) || string.Equals(environment.Get("TERM"), "dumb", StringComparison.Ordinal);
        var width = int.TryParse(environment.Get(CliEnvironment.Columns), out var columns) && columns > 20 ? columns : console.Width ?? PipedWidth;
        return new Terminal(
            // Spectre's "interactive" means live redrawing here (progress); questions are asked by CanPrompt's rule.
            Create(console.Out, console.IsOutputTerminal && !noColor, console.IsOutputTerminal, width, environment),
            Create(console.Error, console.IsErrorTerminal && !noColor, false, ErrorWidth, environment),
            console.IsInputTerminal && console.IsOutputTerminal,
            console.IsOutputTerminal && !noColor);
    }

    private static IAnsiConsole Create(TextWriter writer, bool colour, bool interactive, int width, IReadOnlyDictionary<string, string?> environment)
    {
        var ansiConsole = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = colour ? AnsiSupport.Yes : AnsiSupport.No,
            ColorSystem = colour ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = interactive ? InteractionSupport.Yes : InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
            EnvironmentVariables = environment.Where(e => e.Value is not null).ToDictionary(e => e.Key, e => e.Value!),
        });
        ansiConsole.Profile.Width = width;
        return ansiConsole;
    }
}
