namespace Orchestrator.Core.Schedules.Cron;

/// <summary>Reads the day-of-month field: plain values, or one of <c>L</c>, <c>L-n</c>, <c>LW</c>, <c>L-nW</c>, <c>nW</c>.</summary>
internal static class DayOfMonthParser
{
    private static readonly CronField Field = CronField.DayOfMonth;

    public static string? TryParse(string text, out IDayRule? rule)
    {
        rule = null;
        if (!text.Contains('L', StringComparison.Ordinal) && !text.Contains('W', StringComparison.Ordinal))
        {
            var error = CronValueSet.TryParse(text, Field, out var days);
            rule = days is null ? null : new DayOfMonthValuesRule(days);
            return error;
        }

        // Quartz accepts L and W only on their own, never inside a list or a step.
        if (text.Contains(',', StringComparison.Ordinal) || text.Contains('/', StringComparison.Ordinal))
        {
            return $"{Field.Name}: '{text}' mixes L or W with a list or step; accepted L, L-n, LW, L-nW or nW on their own";
        }

        var nearestWeekday = text.EndsWith('W');
        var body = nearestWeekday ? text[..^1] : text;
        if (body == "L")
        {
            rule = new LastDayOfMonthRule(0, nearestWeekday);
            return null;
        }

        if (body.StartsWith("L-", StringComparison.Ordinal))
        {
            if (!CronField.TryNumber(body[2..], out var n) || n > 30)
            {
                return $"{Field.Name}: '{text}' is not understood; accepted L-n with n 0-30 (days before the last day)";
            }

            rule = new LastDayOfMonthRule(n, nearestWeekday);
            return null;
        }

        if (nearestWeekday && !body.Contains('L', StringComparison.Ordinal))
        {
            if (!body.All(char.IsAsciiDigit))
            {
                return $"{Field.Name}: '{text}' is not understood; accepted W after a single day (15W), not after a range or list";
            }

            if (!Field.TryValue(body, out var day, out var error))
            {
                return error;
            }

            rule = new NearestWeekdayRule(day);
            return null;
        }

        return Field.Unrecognised(text);
    }
}
