using System.Globalization;
using Orchestrator.Cli.Api;
using Orchestrator.Core;
using Orchestrator.Core.Enforcement;
using Orchestrator.Core.Schedules;
using Orchestrator.Core.Windows;

namespace Orchestrator.Cli.Config;

/// <summary>
/// Between a window's API/file spelling and the domain's <see cref="WindowDefinition"/>. This mirrors the server's
/// WindowMapper (src/Orchestrator.Server/Windows/WindowMapper.cs) rule for rule and message for message, so that
/// <c>validate</c> refuses offline exactly what the server would; the server keeps that mapper internal, hence the copy.
/// </summary>
internal static class WindowDefinitions
{
    public const string DateFormat = "yyyy-MM-dd";
    public const string LocalDateTimeFormat = "yyyy-MM-dd'T'HH:mm:ss";

    /// <summary>As the server maps a request: null when a field cannot be read.</summary>
    public static WindowDefinition? ToDefinition(WindowBody request, List<FieldError> errors)
    {
        var definition = ToDefinitionWithDefaults(request, errors);
        return errors.Count > 0 ? null : definition;
    }

    /// <summary>Like <see cref="ToDefinition"/>, but fields that cannot be read take their defaults so that the validator
    /// can still check the others: the server reports in two rounds what validate reports in one.</summary>
    public static WindowDefinition ToDefinitionWithDefaults(WindowBody request, List<FieldError> errors)
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

        return new WindowDefinition
        {
            Name = request.Name ?? "",
            Description = request.Description,
            Schedule = new WindowSchedule
            {
                Cron = request.Cron,
                At = at,
                TimeZone = request.TimeZone ?? "",
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

    /// <summary>The body the CLI sends: the definition in the spelling the server answers with, so that what was applied
    /// compares equal to what is read back.</summary>
    public static WindowBody ToBody(WindowDefinition w)
    {
        var s = w.Schedule;
        return new WindowBody(
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
            w.Ports.Select(p => new PortBody(p.Port, p.Transport)).ToList(),
            new ScanBody(w.Scan.Enabled, w.Scan.MaxConcurrency.ToString(), w.Scan.MaxErrors),
            w.Peering.ToString().ToLowerInvariant(),
            w.Enabled);
    }

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

    private static List<PortRule> ParsePorts(IReadOnlyList<PortBody>? ports, List<FieldError> errors)
    {
        if (ports is null)
        {
            return [PortRule.DeliveryOptimization];
        }

        var rules = new List<PortRule>();
        for (var i = 0; i < ports.Count; i++)
        {
            if (ports[i].Port is not { } port)
            {
                errors.Add(new($"ports[{i}].port", "required; 1-65535"));
                continue;
            }

            rules.Add(new PortRule(port, (ports[i].Protocol ?? "tcp").ToLowerInvariant()));
        }

        return rules;
    }

    private static ScanPolicy ParseScan(ScanBody? scan, List<FieldError> errors)
    {
        if (scan is null)
        {
            return ScanPolicy.Default;
        }

        var limit = ScanPolicy.Default.MaxConcurrency;
        if (scan.MaxConcurrency is { } text && !ConcurrencyLimit.TryParse(text, out limit))
        {
            errors.Add(new("scan.maxConcurrency", $"'{text}' is not accepted; use {ConcurrencyLimit.Accepted}"));
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
