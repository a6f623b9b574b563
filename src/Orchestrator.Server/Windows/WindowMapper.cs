using System.Globalization;
using System.Text.Json;
using Orchestrator.Core;
using Orchestrator.Core.Schedules;
using Orchestrator.Core.Windows;
using Orchestrator.Data.Windows;

namespace Orchestrator.Server.Windows;

/// <summary>Between the API's spelling of a window and the domain's; <see cref="WindowSpelling"/> reads and names the fields.</summary>
internal static class WindowMapper
{
    /// <summary>Null when a field cannot be read: the errors name each one.</summary>
    public static WindowDefinition? ToDefinition(WindowRequest request, List<FieldError> errors)
    {
        var definition = WindowSpelling.ReadWithDefaults(ToFields(request), errors);
        return errors.Count > 0 ? null : definition;
    }

    private static WindowFields ToFields(WindowRequest request) => new()
    {
        Name = request.Name,
        Description = request.Description,
        Cron = request.Cron,
        At = request.At,
        TimeZone = request.TimeZone,
        OffsetDays = request.OffsetDays,
        Duration = request.Duration,
        Cutoff = request.Cutoff,
        BlackoutDates = request.BlackoutDates,
        NotBefore = request.NotBefore,
        NotAfter = request.NotAfter,
        Groups = request.Groups,
        Ports = request.Ports?.Select(p => new PortFields(p?.Port, p?.Protocol)).ToList(),
        Scan = request.Scan is { } scan ? new ScanFields(scan.Enabled, MaxConcurrencyText(scan.MaxConcurrency), scan.MaxErrors, scan.MaxConcurrency?.GetRawText()) : null,
        Peering = request.Peering,
        DeliveryOptimization = request.DeliveryOptimization,
        Enabled = request.Enabled,
        Hooks = request.Hooks,
    };

    public static WindowResponse ToResponse(WindowRecord record, Occurrence? next)
    {
        var w = record.Definition;
        var s = w.Schedule;
        return new WindowResponse(
            record.Id,
            record.Revision,
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
            w.Ports.Select(p => new PortResponse(p.Port, p.Transport)).ToList(),
            new ScanResponse(w.Scan.Enabled, w.Scan.MaxConcurrency.ToString(), w.Scan.MaxErrors),
            WindowSpelling.FormatPeering(w.Peering),
            w.Enabled,
            next is null ? null : ToResponse(next),
            record.CreatedAt,
            record.UpdatedAt,
            HookSpelling.Spell(w.Hooks),
            WindowSpelling.FormatDeliveryOptimization(w.DeliveryOptimization));
    }

    public static OccurrenceResponse ToResponse(Occurrence o) => new(
        o.Key,
        o.LocalStart,
        o.LocalStart.ToString("zzz", CultureInfo.InvariantCulture),
        o.StartUtc,
        o.EndUtc,
        o.Skipped is not null,
        o.Skipped?.ToString().ToLowerInvariant());

    /// <summary>A number as written (10), a string as its value ("25%"). Anything else (true, [], {}) goes on as its JSON
    /// text, which no limit reads as, so it is refused with the field named.</summary>
    private static string? MaxConcurrencyText(JsonElement? element) => element switch
    {
        null => null,
        { ValueKind: JsonValueKind.String } text => text.GetString(),
        { } other => other.GetRawText(),
    };
}
