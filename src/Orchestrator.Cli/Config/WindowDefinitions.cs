using Orchestrator.Cli.Api;
using Orchestrator.Core;
using Orchestrator.Core.Windows;

namespace Orchestrator.Cli.Config;

/// <summary>
/// Between a window's API/file spelling (<see cref="WindowBody"/>) and the domain's <see cref="WindowDefinition"/>. The
/// reading itself is <see cref="WindowSpelling"/>, the server's too, so that <c>validate</c> refuses offline exactly what
/// the server would.
/// </summary>
internal static class WindowDefinitions
{
    /// <summary>Fields that cannot be read take their defaults so that the validator can still check the others: the
    /// server reports in two rounds what validate reports in one.</summary>
    public static WindowDefinition ToDefinitionWithDefaults(WindowBody body, List<FieldError> errors) =>
        WindowSpelling.ReadWithDefaults(ToFields(body), errors);

    /// <summary>The body the CLI sends: the definition in the spelling the server answers with, so that what was applied
    /// compares equal to what is read back.</summary>
    public static WindowBody ToBody(WindowDefinition w)
    {
        var s = w.Schedule;
        return new WindowBody(
            w.Name,
            w.Description,
            s.Cron,
            WindowSpelling.FormatAt(s.At),
            s.TimeZone,
            s.OffsetDays,
            IsoDurations.Format(s.Duration),
            IsoDurations.Format(s.Cutoff),
            WindowSpelling.FormatDates(s.BlackoutDates),
            s.NotBefore,
            s.NotAfter,
            w.Groups,
            w.Ports.Select(p => new PortBody(p.Port, p.Transport)).ToList(),
            new ScanBody(w.Scan.Enabled, w.Scan.MaxConcurrency.ToString(), w.Scan.MaxErrors),
            WindowSpelling.FormatPeering(w.Peering),
            w.Enabled,
            HookSpelling.Spell(w.Hooks) is { } hooks ? new HooksBody(Hook(hooks.PreOpen), Hook(hooks.PostClose)) : null,
            WindowSpelling.FormatDeliveryOptimization(w.DeliveryOptimization));
    }

    private static WindowFields ToFields(WindowBody body) => new()
    {
        Name = body.Name,
        Description = body.Description,
        Cron = body.Cron,
        At = body.At,
        TimeZone = body.TimeZone,
        OffsetDays = body.OffsetDays,
        Duration = body.Duration,
        Cutoff = body.Cutoff,
        BlackoutDates = body.BlackoutDates,
        NotBefore = body.NotBefore,
        NotAfter = body.NotAfter,
        Groups = body.Groups,
        Ports = body.Ports?.Select(p => new PortFields(p?.Port, p?.Protocol)).ToList(),
        Scan = body.Scan is { } scan ? new ScanFields(scan.Enabled, scan.MaxConcurrency, scan.MaxErrors) : null,
        Peering = body.Peering,
        DeliveryOptimization = body.DeliveryOptimization,
        Enabled = body.Enabled,
        Hooks = body.Hooks is { } h ? new HooksFields(Fields(h.PreOpen), Fields(h.PostClose)) : null,
    };

    private static HookBody? Hook(HookFields? f) => f is null ? null : new HookBody(f.Url, f.Timeout);

    private static HookFields? Fields(HookBody? b) => b is null ? null : new HookFields(b.Url, b.Timeout);
}
