namespace Orchestrator.Core.Schedules;

public static class ScheduleValidator
{
    public static IReadOnlyList<FieldError> Validate(WindowSchedule schedule, TimeSpan minimumDuration)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        _ = minimumDuration;
        return [];
    }
}
