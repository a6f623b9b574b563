namespace Orchestrator.Core.Schedules.Cron;

/// <summary>The second, minute and hour fields together: the times of day a matching day fires at.</summary>
internal sealed class CronTimesOfDay(CronValueSet seconds, CronValueSet minutes, CronValueSet hours)
{
    /// <summary>Ascending times of day at or after <paramref name="from"/> (whole seconds).</summary>
    public IEnumerable<TimeSpan> From(TimeSpan from)
    {
        foreach (var hour in hours.Values)
        {
            if (hour < from.Hours)
            {
                continue;
            }

            var sameHour = hour == from.Hours;
            foreach (var minute in minutes.Values)
            {
                if (sameHour && minute < from.Minutes)
                {
                    continue;
                }

                var sameMinute = sameHour && minute == from.Minutes;
                foreach (var second in seconds.Values)
                {
                    if (sameMinute && second < from.Seconds)
                    {
                        continue;
                    }

                    yield return new TimeSpan(hour, minute, second);
                }
            }
        }
    }
}
