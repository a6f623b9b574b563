using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Unicode;

namespace Orchestrator.Server.Reports;

/// <summary>How reports write values: invariant culture, UTC, binary byte units; and HTML encoding.</summary>
internal static class ReportText
{
    // Encodes markup characters but leaves readable text (·, →, –, non-Latin hostnames) as it is.
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);

    /// <summary>HTML-encoded, with control, bidi and zero-width characters replaced: a numeric character reference
    /// would still reorder or hide text, and rows stored before such characters were refused may hold them.</summary>
    public static string H(string? text) => text is null ? "" : Encoder.Encode(Core.FreeText.Sanitize(text));

    public static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static string Time(DateTimeOffset? value) =>
        value is { } v ? v.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC" : "—";

    /// <summary>The instant in a window's time zone with that day's UTC offset, e.g. "2026-03-29 03:00 UTC+02:00
    /// Europe/Berlin"; "—" when there is none. An unknown zone id (a window stored before it was checked) shows UTC.</summary>
    public static string Local(DateTimeOffset? value, string? zoneId)
    {
        if (value is not { } v)
        {
            return "—";
        }

        return zoneId is not null && TimeZoneInfo.TryFindSystemTimeZoneById(zoneId, out var zone)
            ? LocalText(TimeZoneInfo.ConvertTime(v, zone), zoneId)
            : LocalText(v.ToUniversalTime(), "UTC");
    }

    /// <summary>A local date-time that already carries its offset, with the zone's name.</summary>
    public static string LocalText(DateTimeOffset local, string zoneId)
    {
        var offset = local.Offset;
        var sign = offset < TimeSpan.Zero ? "−" : "+";
        return local.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC" + sign + offset.Duration().ToString(@"hh\:mm", CultureInfo.InvariantCulture) + " " + zoneId;
    }

    public static string Iso(DateTimeOffset? value) =>
        value is { } v ? v.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture) : "";

    public static string Bytes(long? bytes)
    {
        if (bytes is not { } b)
        {
            return "—";
        }

        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double value = b;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return unit == 0 ? $"{b.ToString(CultureInfo.InvariantCulture)} B" : $"{value.ToString("0.0", CultureInfo.InvariantCulture)} {units[unit]}";
    }

    /// <summary>Durations come from agents' reports too: one beyond what a TimeSpan holds is shown as "over 100 years"
    /// (not a 500 for the whole report).</summary>
    public static string Ms(long? ms) => ms switch
    {
        null => "—",
        > MaxMs or < -MaxMs => "over 100 years",
        { } v => Core.Reports.RunAnomalies.Duration(TimeSpan.FromMilliseconds(v)),
    };

    private const long MaxMs = 100L * 366 * 24 * 60 * 60 * 1000;

    public static string Span(TimeSpan? value) => value is { } v ? (v < TimeSpan.Zero ? "−" : "+") + Core.Reports.RunAnomalies.Duration(v) : "—";

    public static string Percent(double? share) => share is { } s ? s.ToString("0.0%", CultureInfo.InvariantCulture) : "not reported";
}
