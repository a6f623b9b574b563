using Orchestrator.Core.Schedules;

namespace Orchestrator.Core.Tests.Schedules;

internal static class Schedules
{
    public static WindowSchedule Cron(string cron, string zone = "Europe/Berlin", int offsetDays = 0) => new()
    {
        Cron = cron,
        TimeZone = zone,
        OffsetDays = offsetDays,
        Duration = TimeSpan.FromHours(2),
    };

    public static DateTimeOffset Utc(int year, int month, int day, int hour = 0, int minute = 0) =>
        new(year, month, day, hour, minute, 0, TimeSpan.Zero);
}
