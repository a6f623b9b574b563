namespace Orchestrator.Core.Schedules;

/// <summary>Turns a wall-clock time into the instant a window starts, by the DST rule of docs/design.md.</summary>
public static class DstResolver
{
    // The true instant lies within ±14 h of the wall time read as UTC; a day either side sees both offsets.
    private static readonly TimeSpan Probe = TimeSpan.FromDays(1);
    private static readonly TimeSpan SearchHalfWidth = TimeSpan.FromHours(15);

    /// <summary>
    /// The instant (with the zone's offset at that instant) at which <paramref name="local"/> happens in
    /// <paramref name="zone"/>: inside a spring-forward gap the end of the gap; inside a fall-back overlap the
    /// first (earlier) instant. The <see cref="DateTime.Kind"/> of <paramref name="local"/> is ignored.
    /// </summary>
    public static DateTimeOffset Resolve(DateTime local, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var wall = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        var wallAsUtc = DateTime.SpecifyKind(local, DateTimeKind.Utc);

        // Only UTC→local conversion is trusted: each candidate offset is kept if it maps back to the wall time.
        TimeSpan[] candidates =
        [
            zone.GetUtcOffset(wallAsUtc - Probe),
            zone.GetUtcOffset(wallAsUtc + Probe),
            zone.GetUtcOffset(wall),
        ];
        DateTime? earliest = null;
        foreach (var offset in candidates)
        {
            var utc = wallAsUtc - offset;
            if (TimeZoneInfo.ConvertTimeFromUtc(utc, zone) == wall && (earliest is null || utc < earliest))
            {
                earliest = utc;
            }
        }

        return InZone(earliest ?? EndOfGap(wall, wallAsUtc, zone), zone);
    }

    /// <summary>The first instant whose wall time is later than <paramref name="wall"/>, i.e. where the gap ends.</summary>
    private static DateTime EndOfGap(DateTime wall, DateTime wallAsUtc, TimeZoneInfo zone)
    {
        var low = (wallAsUtc - SearchHalfWidth).Ticks / TimeSpan.TicksPerSecond;
        var high = (wallAsUtc + SearchHalfWidth).Ticks / TimeSpan.TicksPerSecond;
        while (low < high)
        {
            var middle = low + (high - low) / 2;
            var instant = new DateTime(middle * TimeSpan.TicksPerSecond, DateTimeKind.Utc);
            if (TimeZoneInfo.ConvertTimeFromUtc(instant, zone) > wall)
            {
                high = middle;
            }
            else
            {
                low = middle + 1;
            }
        }

        return new DateTime(low * TimeSpan.TicksPerSecond, DateTimeKind.Utc);
    }

    private static DateTimeOffset InZone(DateTime utc, TimeZoneInfo zone) =>
        new DateTimeOffset(utc).ToOffset(zone.GetUtcOffset(utc));
}
