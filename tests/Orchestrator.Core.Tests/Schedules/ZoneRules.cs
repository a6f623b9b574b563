namespace Orchestrator.Core.Tests.Schedules;

/// <summary>
/// A zone's current DST law written out by hand (tz database rules), so expected instants do not come from the
/// code under test. Transition wall times are given in the offset in force just before each transition.
/// </summary>
internal sealed record ZoneRules(
    string ZoneId,
    TimeSpan Standard,
    TimeSpan Daylight,
    Func<int, DateTime> DaylightStartsWall,
    Func<int, DateTime> DaylightEndsWall)
{
    public static readonly ZoneRules Berlin = new(
        "Europe/Berlin", TimeSpan.FromHours(1), TimeSpan.FromHours(2),
        y => At(CalendarScan.Last(y, 3, DayOfWeek.Sunday), 2, 0),
        y => At(CalendarScan.Last(y, 10, DayOfWeek.Sunday), 3, 0));

    public static readonly ZoneRules NewYork = new(
        "America/New_York", TimeSpan.FromHours(-5), TimeSpan.FromHours(-4),
        y => At(CalendarScan.Nth(y, 3, DayOfWeek.Sunday, 2), 2, 0),
        y => At(CalendarScan.Nth(y, 11, DayOfWeek.Sunday, 1), 2, 0));

    public static readonly ZoneRules LordHowe = new(
        "Australia/Lord_Howe", new TimeSpan(10, 30, 0), TimeSpan.FromHours(11),
        y => At(CalendarScan.Nth(y, 10, DayOfWeek.Sunday, 1), 2, 0),
        y => At(CalendarScan.Nth(y, 4, DayOfWeek.Sunday, 1), 2, 0));

    public static readonly ZoneRules Kolkata = new(
        "Asia/Kolkata", new TimeSpan(5, 30, 0), new TimeSpan(5, 30, 0), y => new DateTime(y, 1, 1), y => new DateTime(y, 1, 1));

    public TimeZoneInfo Zone => TimeZoneInfo.FindSystemTimeZoneById(ZoneId);

    private TimeSpan Shift => Daylight - Standard;

    public DateTimeOffset DaylightStartsUtc(int year) => new(DaylightStartsWall(year), Standard);

    public DateTimeOffset DaylightEndsUtc(int year) => new(DaylightEndsWall(year), Daylight);

    /// <summary>The rule of docs/design.md: a gap time starts at the gap's end; an overlap time at its first (daylight) instant.</summary>
    public DateTimeOffset ExpectedStart(DateTime wall)
    {
        var start = DaylightStartsWall(wall.Year);
        var end = DaylightEndsWall(wall.Year);
        if (Shift == TimeSpan.Zero)
        {
            return new DateTimeOffset(wall, Standard);
        }

        if (wall >= start && wall < start + Shift)
        {
            return new DateTimeOffset(start + Shift, Daylight);
        }

        if (wall >= end - Shift && wall < end)
        {
            return new DateTimeOffset(wall, Daylight);
        }

        var daylight = start < end ? wall >= start && wall < end : wall >= start || wall < end;
        return new DateTimeOffset(wall, daylight ? Daylight : Standard);
    }

    /// <summary>True for an instant whose wall time already happened once that day, before the clocks went back.</summary>
    public bool IsSecondOverlapPass(DateTimeOffset instant)
    {
        var fallBack = DaylightEndsUtc(instant.UtcDateTime.Year);
        return instant >= fallBack && instant < fallBack + Shift;
    }

    public override string ToString() => ZoneId;

    private static DateTime At(DateOnly day, int hour, int minute) => day.ToDateTime(new TimeOnly(hour, minute));
}
