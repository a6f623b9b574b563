using System.Diagnostics.CodeAnalysis;

namespace Orchestrator.Core.Schedules;

/// <summary>Looks up a schedule's zone by IANA id; Windows ids resolve on some hosts only, so they are refused.</summary>
internal static class ScheduleTimeZone
{
    public static bool TryFind(string? id, [NotNullWhen(true)] out TimeZoneInfo? zone, [NotNullWhen(false)] out string? error)
    {
        zone = null;
        if (string.IsNullOrWhiteSpace(id) || !TimeZoneInfo.TryFindSystemTimeZoneById(id, out var found))
        {
            error = $"unknown time zone '{id}'; use an IANA id such as Europe/Berlin";
            return false;
        }

        if (!found.HasIanaId)
        {
            error = TimeZoneInfo.TryConvertWindowsIdToIanaId(id, out var iana)
                ? $"'{id}' is a Windows time zone id; use the IANA id {iana}"
                : $"unknown time zone '{id}'; use an IANA id such as Europe/Berlin";
            return false;
        }

        zone = found;
        error = null;
        return true;
    }

    public static TimeZoneInfo Find(string id) =>
        TryFind(id, out var zone, out var error) ? zone : throw new ArgumentException(error, nameof(id));
}
