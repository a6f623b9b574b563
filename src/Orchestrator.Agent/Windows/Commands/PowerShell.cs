using System.Globalization;

namespace Orchestrator.Agent.Windows.Commands;

/// <summary>
/// Windows PowerShell 5.1 (present on every supported Windows) by absolute path, so a planted
/// <c>powershell.exe</c> earlier on PATH is never run as SYSTEM. Scripts travel on standard input and are
/// compiled whole by a one-line bootstrap: no temporary file to protect, no 32K command-line limit, and none of
/// the line-by-line quirks of <c>-Command -</c>.
/// </summary>
internal sealed class PowerShell(string systemDirectory)
{
    /// <summary>Reads the whole script from standard input, then runs it as one script block; a terminating error
    /// (every script sets <c>$ErrorActionPreference = 'Stop'</c>) makes powershell.exe exit with 1.</summary>
    public const string Bootstrap = "$s = [Console]::In.ReadToEnd(); & ([ScriptBlock]::Create($s))";

    public string Executable { get; } = systemDirectory.TrimEnd('\\') + @"\WindowsPowerShell\v1.0\powershell.exe";

    public WindowsCommand Script(string script)
    {
        // powershell.exe decodes redirected standard input with the OEM code page; ASCII reads the same in all of them.
        var bad = script.FirstOrDefault(c => c > 0x7E || (c < 0x20 && c is not '\n' and not '\r' and not '\t'));
        if (bad != default)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"PowerShell scripts must be ASCII; found U+{(int)bad:X4}."), nameof(script));
        }

        return new WindowsCommand(
            Executable, ["-NoLogo", "-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-Command", Bootstrap], script);
    }

    /// <summary>A single-quoted PowerShell string literal: nothing inside is expanded.</summary>
    public static string Quote(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    /// <summary>A PowerShell array literal of single-quoted strings, e.g. <c>@('a', 'b')</c>.</summary>
    public static string Array(IEnumerable<string> values) => "@(" + string.Join(", ", values.Select(Quote)) + ")";
}
