using System.Globalization;
using System.Text.Json;
using Orchestrator.Core;
using Orchestrator.Core.Enforcement;
using Orchestrator.Core.Schedules;
using Orchestrator.Core.Windows;
using Orchestrator.Data.Windows;

namespace Orchestrator.Server.Windows;

/// <summary>Between the API's spelling of a window and the domain's. Parse errors name the field.</summary>
internal static class WindowMapper
{
    public const string DateFormat = "yyyy-MM-dd";
    public const string LocalDateTimeFormat = "yyyy-MM-dd'T'HH:mm:ss";

    public static WindowDefinition? ToDefinition(WindowRequest request, List<FieldError> errors)
    {
        var duration = ParseDuration(request.Duration, "duration", required: true, errors);
        var cutoff = ParseDuration(request.Cutoff, "cutoff", required: false, errors);
        var at = ParseLocal(request.At, errors);
        var blackouts = ParseDates(request.BlackoutDates, errors);
        var ports = ParsePorts(request.Ports, errors);
        var scan = ParseScan(request.Scan, errors);
        var peering = ParsePeering(request.Peering, errors);
        if (request.TimeZone is null)
        {
            errors.Add(new("timeZone", "required; an IANA time zone id such as Europe/Berlin"));
        }

        if (errors.Count > 0)
        {
            return null;
        }

        return new WindowDefinition
        {
            Name = request.Name ?? "",
            Description = request.Description,
            Schedule = new WindowSchedule
            {
                Cron = request.Cron,
                At = at,
                TimeZone = request.TimeZone!,
                OffsetDays = request.OffsetDays ?? 0,
                Duration = duration,
                Cutoff = cutoff,
                BlackoutDates = blackouts,
                NotBefore = request.NotBefore,
                NotAfter = request.NotAfter,
            },
            Groups = request.Groups ?? [],
            Ports = ports,
            Scan = scan,
            Peering = peering,
            Enabled = request.Enabled ?? true,
        };
    }

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
            s.At?.ToString(LocalDateTimeFormat, CultureInfo.InvariantCulture),
            s.TimeZone,
            s.OffsetDays,
            IsoDurations.Format(s.Duration),
            IsoDurations.Format(s.Cutoff),
            s.BlackoutDates.Select(d => d.ToString(DateFormat, CultureInfo.InvariantCulture)).ToList(),
            s.NotBefore,
            s.NotAfter,
            w.Groups,
            w.Ports.Select(p => new PortResponse(p.Port, p.Transport)).ToList(),
            new ScanResponse(w.Scan.Enabled, w.Scan.MaxConcurrency.ToString(), w.Scan.MaxErrors),
            w.Peering.ToString().ToLowerInvariant(),
            w.Enabled,
            next is null ? null : ToResponse(next),
            record.CreatedAt,
            record.UpdatedAt);
    }

    public static OccurrenceResponse ToResponse(Occurrence o) => new(
        o.Key,
        o.LocalStart,
        o.LocalStart.ToString("zzz", CultureInfo.InvariantCulture),
        o.StartUtc,
        o.EndUtc,
        o.Skipped is not null,
        o.Skipped?.ToString().ToLowerInvariant());

    private static TimeSpan ParseDuration(string? text, string field, bool required, List<FieldError> errors)
    {
        if (text is null)
        {
            if (required)
            {
                errors.Add(new(field, "required; an ISO-8601 duration such as PT4H or PT90M"));
            }

            return TimeSpan.Zero;
        }

        if (!IsoDurations.TryParse(text, out var value))
        {
            errors.Add(new(field, $"'{text}' is not an ISO-8601 duration such as PT4H or PT90M"));
        }

        return value;
    }

    private static DateTime? ParseLocal(string? text, List<FieldError> errors)
    {
        if (text is null)
        {
            return null;
        }

        if (!DateTime.TryParseExact(text, [LocalDateTimeFormat, "yyyy-MM-dd'T'HH:mm"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var value))
        {
            errors.Add(new("at", $"'{text}' is not a local date-time such as 2027-03-09T22:00:00 (no offset: it is read in timeZone)"));
            return null;
        }

        return DateTime.SpecifyKind(value, DateTimeKind.Unspecified);
    }

    private static List<DateOnly> ParseDates(IReadOnlyList<string>? texts, List<FieldError> errors)
    {
        var dates = new List<DateOnly>();
        if (texts is null)
        {
            return dates;
        }

        if (texts.Count > 1_000)
        {
            errors.Add(new("blackoutDates", "at most 1000 dates"));
            return dates;
        }

        for (var i = 0; i < texts.Count; i++)
        {
            if (DateOnly.TryParseExact(texts[i], DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                dates.Add(date);
            }
            else
            {
                errors.Add(new($"blackoutDates[{i}]", $"'{texts[i]}' is not a date such as 2027-12-24"));
            }
        }

        return dates.Distinct().Order().ToList();
    }

    private static List<PortRule> ParsePorts(IReadOnlyList<PortRequest>? ports, List<FieldError> errors)
    {
        if (ports is null)
        {
            return [PortRule.DeliveryOptimization];
        }

        var rules = new List<PortRule>();
        for (var i = 0; i < ports.Count; i++)
        {
            if (ports[i]?.Port is not { } port)
            {
                errors.Add(new($"ports[{i}].port", "required; 1-65535"));
                continue;
            }

            rules.Add(new PortRule(port, (ports[i].Protocol ?? "tcp").ToLowerInvariant()));
        }

        return rules;
    }

    private static ScanPolicy ParseScan(ScanRequest? scan, List<FieldError> errors)
    {
        if (scan is null)
        {
            return ScanPolicy.Default;
        }

        var limit = ScanPolicy.Default.MaxConcurrency;
        if (scan.MaxConcurrency is { } element)
        {
            var text = element.ValueKind switch
            {
                JsonValueKind.Number => element.GetRawText(),
                JsonValueKind.String => element.GetString(),
                _ => null,
            };
            if (!ConcurrencyLimit.TryParse(text, out limit))
            {
                errors.Add(new("scan.maxConcurrency", $"'{element.GetRawText()}' is not accepted; use {ConcurrencyLimit.Accepted}"));
            }
        }

        return new ScanPolicy(scan.Enabled ?? true, limit, scan.MaxErrors);
    }

    private static PeeringMode ParsePeering(string? text, List<FieldError> errors)
    {
        switch (text?.ToLowerInvariant())
        {
            case null or "group":
                return PeeringMode.Group;
            case "lan":
                return PeeringMode.Lan;
            default:
                errors.Add(new("peering", $"'{text}' is not accepted; use group (Delivery Optimization mode 2) or lan (mode 1)"));
                return PeeringMode.Group;
        }
    }
}
