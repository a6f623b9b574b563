using System.Globalization;

namespace Orchestrator.Cli.Output;

/// <summary>How times, sizes and lists read in tables and reports. Times are UTC unless a window's local time is meant.</summary>
internal static class Formats
{
    public static string Utc(DateTimeOffset? value) =>
        value?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "-";

    /// <summary>A window's local wall-clock start with its offset, e.g. 2027-03-09 22:00 +01:00.</summary>
    public static string Local(DateTimeOffset value) => value.ToString("yyyy-MM-dd HH:mm zzz", CultureInfo.InvariantCulture);

    public static string Bytes(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return unit == 0 ? $"{bytes} B" : string.Create(CultureInfo.InvariantCulture, $"{value:0.0} {units[unit]}");
    }

    public static string Duration(TimeSpan span) =>
        span.TotalDays >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalDays}d {span.Hours}h")
        : span.TotalHours >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalHours}h {span.Minutes:00}m")
        : string.Create(CultureInfo.InvariantCulture, $"{Math.Max(0, (int)span.TotalMinutes)}m");

    public static string List(IEnumerable<string> items) => string.Join(", ", items) is { Length: > 0 } text ? text : "-";

    public static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
