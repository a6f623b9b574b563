using System.Globalization;
using System.Text;

namespace Orchestrator.Server.Reports;

/// <summary>
/// RFC 4180 CSV (CRLF, fields quoted when they hold a comma, quote or line break, quotes doubled) that is safe to
/// open in a spreadsheet: a cell starting with = + - @ (or a tab or carriage return) gets a leading apostrophe so
/// it is read as text, never as a formula. Hostnames and addresses come from agents: they are not trusted.
/// </summary>
internal static class Csv
{
    public static string Cell(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }

        // Unsafe characters replaced as in every report (Core.FreeText), then the formula guard.
        value = Core.FreeText.Sanitize(value);
        if (value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }

        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }

    public static string Cell(long? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "";

    public static void Line(StringBuilder into, params string[] cells)
    {
        ArgumentNullException.ThrowIfNull(into);
        into.AppendJoin(',', cells).Append("\r\n");
    }
}
