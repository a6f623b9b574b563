using System.Globalization;
using System.Text;

namespace Orchestrator.Cli.Reports;

/// <summary>
/// The report's traffic as one RFC 4180 table for spreadsheets: a row per transfer (record=transfer, bytes set) and per
/// blocked source/target pair (record=blocked, attempts set).
/// </summary>
internal static class CsvReport
{
    public const string Header = "run,record,from_host,from_address,to_host,to_address,port,bytes,attempts";

    public static string Render(RunReport report)
    {
        var csv = new StringBuilder().Append(Header).Append("\r\n");
        var run = report.Run.Id.ToString(CultureInfo.InvariantCulture);
        foreach (var t in report.Transfers)
        {
            Line(csv, run, "transfer", t.ServingHostname, t.ServingAddress, t.ReceivingHostname, t.ReceivingAddress, "", Invariant(t.Bytes), "");
        }

        foreach (var b in report.Blocked)
        {
            Line(csv, run, "blocked", b.SourceHostname, b.SourceAddress, b.TargetHostname, "", Invariant(b.Port), "", Invariant(b.Count));
        }

        return csv.ToString();
    }

    private static void Line(StringBuilder csv, params string?[] fields)
    {
        csv.AppendJoin(',', fields.Select(Quote)).Append("\r\n");
    }

    /// <summary>RFC 4180 quoting, and text a spreadsheet would run as a formula (= + @, a tab, a carriage return, or
    /// '-' before anything but a digit) gets a leading apostrophe, as the server's CSV does.</summary>
    private static string Quote(string? field)
    {
        field ??= "";
        if (field.Length > 0 && (field[0] is '=' or '+' or '@' or '\t' or '\r' || (field[0] == '-' && !(field.Length > 1 && char.IsAsciiDigit(field[1])))))
        {
            field = "'" + field;
        }

        return field.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : field;
    }

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
