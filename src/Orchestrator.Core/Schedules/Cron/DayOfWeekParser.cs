namespace Orchestrator.Core.Schedules.Cron;

/// <summary>Reads the day-of-week field: plain values (1 = SUN .. 7 = SAT), <c>L</c> (= SAT), <c>nL</c>, <c>n#k</c>.</summary>
internal static class DayOfWeekParser
{
    private static readonly CronField Field = CronField.DayOfWeek;

    public static string? TryParse(string text, out IDayRule? rule)
    {
        rule = null;
        if (text == "L")
        {
            text = "7";
        }

        if (!text.Contains('L', StringComparison.Ordinal) && !text.Contains('#', StringComparison.Ordinal))
        {
            var error = CronValueSet.TryParse(text, Field, out var days);
            rule = days is null ? null : new DayOfWeekValuesRule(days);
            return error;
        }

        // Quartz accepts nL and n#k only on their own, never inside a list or a step.
        if (text.Contains(',', StringComparison.Ordinal) || text.Contains('/', StringComparison.Ordinal))
        {
            return $"{Field.Name}: '{text}' mixes L or # with a list or step; accepted nL or n#k on their own";
        }

        if (text.EndsWith('L'))
        {
            if (!Field.TryValue(text[..^1], out var dayOfWeek, out var error))
            {
                return error;
            }

            rule = new LastDayOfWeekInMonthRule(dayOfWeek);
            return null;
        }

        if (text.Split('#') is [var day, var nth])
        {
            if (!Field.TryValue(day, out var dayOfWeek, out var error))
            {
                return error;
            }

            if (!CronField.TryNumber(nth, out var n) || n is < 1 or > 5)
            {
                return $"{Field.Name}: '#{nth}' is out of range; accepted n#1 to n#5 (first to fifth in the month)";
            }

            rule = new NthDayOfWeekInMonthRule(dayOfWeek, n);
            return null;
        }

        return Field.Unrecognised(text);
    }
}
