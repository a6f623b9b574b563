namespace Orchestrator.Cli;

/// <summary>The streams the CLI talks through and what they are connected to, so that tests can run it in-process.</summary>
public sealed class CliConsole
{
    public required TextWriter Out { get; init; }

    public required TextWriter Error { get; init; }

    public TextReader In { get; init; } = TextReader.Null;

    /// <summary>Standard output is a terminal: colours and live progress are allowed.</summary>
    public bool IsOutputTerminal { get; init; }

    public bool IsErrorTerminal { get; init; }

    /// <summary>Standard input is a terminal: the CLI may ask for confirmation.</summary>
    public bool IsInputTerminal { get; init; }

    /// <summary>Terminal width in columns, when known.</summary>
    public int? Width { get; init; }

    public static CliConsole FromSystem() => new()
    {
        Out = Console.Out,
        Error = Console.Error,
        In = Console.In,
        IsOutputTerminal = !Console.IsOutputRedirected,
        IsErrorTerminal = !Console.IsErrorRedirected,
        IsInputTerminal = !Console.IsInputRedirected,
        Width = Console.IsOutputRedirected ? null : SafeWindowWidth(),
    };

    private static int? SafeWindowWidth()
    {
        try
        {
            return Console.WindowWidth > 0 ? Console.WindowWidth : null;
        }
        catch (IOException)
        {
            // No console attached after all (e.g. a detached service); fall back to the default width.
            return null;
        }
    }
}
