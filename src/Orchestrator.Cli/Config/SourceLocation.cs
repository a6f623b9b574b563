using YamlDotNet.Core;

namespace Orchestrator.Cli.Config;

/// <summary>file:line:column, 1-based, as editors and compilers print it.</summary>
internal sealed record SourceLocation(string File, int Line, int Column)
{
    public static SourceLocation At(string file, Mark mark) => new(file, (int)mark.Line, (int)mark.Column);

    public override string ToString() => $"{File}:{Line}:{Column}";
}

/// <summary>One finding in the configuration files: where, which field, and what would be accepted.</summary>
internal sealed record ConfigDiagnostic(SourceLocation Location, string Field, string Message, bool IsWarning = false)
{
    public string Severity => IsWarning ? "warning" : "error";

    public override string ToString() =>
        Field.Length == 0 ? $"{Location}: {Severity}: {Message}" : $"{Location}: {Severity}: {Field}: {Message}";
}
