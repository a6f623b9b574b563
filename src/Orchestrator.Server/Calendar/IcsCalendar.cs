using System.Globalization;
using System.Text;

namespace Orchestrator.Server.Calendar;

/// <summary>
/// Occurrences as an RFC 5545 calendar. Start and end are UTC date-times ("…Z"): they name the instant the schedule
/// code computed (DST gaps and overlaps already resolved), so every calendar shows each start at the right moment in
/// its viewer's zone; the window's own zone and local start are in the description. Skipped occurrences are
/// cancelled events with the reason. Lines end in CRLF and are folded at 75 octets.
/// </summary>
internal static class IcsCalendar
{
    public const string ContentType = "text/calendar; charset=utf-8";

    public static string Render(IReadOnlyList<UpcomingOccurrence> occurrences, DateTimeOffset generatedAt, string host)
    {
        ArgumentNullException.ThrowIfNull(occurrences);
        var ics = new StringBuilder(4096);
        Line(ics, "BEGIN:VCALENDAR");
        Line(ics, "VERSION:2.0");
        Line(ics, "PRODID:-//Orchestrator//Maintenance windows//EN");
        Line(ics, "CALSCALE:GREGORIAN");
        Line(ics, "METHOD:PUBLISH");
        Line(ics, "X-WR-CALNAME:Orchestrator maintenance windows");
        foreach (var u in occurrences)
        {
            var o = u.Occurrence;
            var local = o.LocalStart.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
            var offset = (o.LocalStart.Offset < TimeSpan.Zero ? "-" : "+") + o.LocalStart.Offset.Duration().ToString(@"hh\:mm", CultureInfo.InvariantCulture);
            var description = new StringBuilder()
                .Append(CultureInfo.InvariantCulture, $"Starts {local} {u.TimeZone} (UTC{offset}).\n")
                .Append(CultureInfo.InvariantCulture, $"Groups: {string.Join(", ", u.Groups)}; {u.Members} member(s) now.\n");
            if (o.Skipped is { } reason)
            {
                description.Append(CultureInfo.InvariantCulture, $"Skipped: {reason.ToString().ToLowerInvariant()}.\n");
            }

            if (u.Description is { Length: > 0 } text)
            {
                description.Append(text);
            }

            Line(ics, "BEGIN:VEVENT");
            Line(ics, $"UID:window-{u.WindowId.ToString(CultureInfo.InvariantCulture)}-{o.Key.Replace(":", "", StringComparison.Ordinal)}@{Escape(host)}");
            Line(ics, $"DTSTAMP:{Utc(generatedAt)}");
            Line(ics, $"DTSTART:{Utc(o.StartUtc)}");
            Line(ics, $"DTEND:{Utc(o.EndUtc)}");
            Line(ics, $"SUMMARY:{Escape((o.Skipped is null ? "" : "Skipped: ") + u.WindowName)}");
            Line(ics, $"DESCRIPTION:{Escape(description.ToString().TrimEnd('\n'))}");
            Line(ics, $"CATEGORIES:{string.Join(",", u.Groups.Select(Escape))}");
            Line(ics, o.Skipped is null ? "STATUS:CONFIRMED" : "STATUS:CANCELLED");
            Line(ics, "TRANSP:TRANSPARENT");
            Line(ics, "END:VEVENT");
        }

        Line(ics, "END:VCALENDAR");
        return ics.ToString();
    }

    private static string Utc(DateTimeOffset value) => value.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    /// <summary>RFC 5545 TEXT: backslash, semicolon, comma and newlines escaped; other control characters dropped.</summary>
    private static string Escape(string text)
    {
        var escaped = new StringBuilder(text.Length + 8);
        foreach (var c in Core.FreeText.Sanitize(text))
        {
            switch (c)
            {
                case '\\' or ';' or ',':
                    escaped.Append('\\').Append(c);
                    break;
                case '\n':
                    escaped.Append("\\n");
                    break;
                case < ' ' or '\u007f':
                    break;
                default:
                    escaped.Append(c);
                    break;
            }
        }

        return escaped.ToString();
    }

    /// <summary>Folds a content line at 75 octets (a continuation line starts with a space), never inside a UTF-8 sequence.</summary>
    private static void Line(StringBuilder ics, string line)
    {
        var octets = 0;
        var limit = 75;
        foreach (var rune in line.EnumerateRunes())
        {
            var size = rune.Utf8SequenceLength;
            if (octets + size > limit)
            {
                ics.Append("\r\n ");
                octets = 0;
                limit = 74;
            }

            ics.Append(rune.ToString());
            octets += size;
        }

        ics.Append("\r\n");
    }
}
