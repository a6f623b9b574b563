using Orchestrator.Core;
using Orchestrator.Core.Schedules;

namespace Orchestrator.Server.Runs;

/// <summary>
/// The cutoff of an ad-hoc run ("no new scans in the last cutoff of the run"). An explicit one is taken as given. Else
/// the window's, unless it would fall at or before the run's start (a window with <c>cutoff: PT30M</c> run for five
/// minutes would never scan): then it keeps the window's share of the duration, rounded down to whole seconds
/// (PT4H with PT30M → 1/8; a PT5M run gets PT37S), and says so in a warning.
/// </summary>
internal static class AdHocCutoff
{
    /// <summary>The audit action that records a scaled cutoff on the run (its timeline and report show it).</summary>
    public const string ScaledAction = Core.Reports.RunAnomalies.CutoffScaledAction;

    public static (TimeSpan Cutoff, string? Warning) Choose(TimeSpan duration, TimeSpan? requested, WindowSchedule window)
    {
        ArgumentNullException.ThrowIfNull(window);
        if (requested is { } given)
        {
            return (given, null);
        }

        if (window.Cutoff < duration)
        {
            return (window.Cutoff, null);
        }

        var share = window.Duration > TimeSpan.Zero ? Math.Min(1.0, window.Cutoff / window.Duration) : 1.0;
        var scaled = TimeSpan.FromSeconds(Math.Floor(duration.TotalSeconds * share));
        var warning = $"The window's cutoff {IsoDurations.Format(window.Cutoff)} would fall at or before the start of this " +
                      $"{IsoDurations.Format(duration)} run, so no scan could be dispatched; it was scaled to {IsoDurations.Format(scaled)} " +
                      $"(the same share of the duration as the window's {IsoDurations.Format(window.Cutoff)} of {IsoDurations.Format(window.Duration)}). " +
                      "Give \"cutoff\" to choose another.";
        return (scaled, warning);
    }
}
