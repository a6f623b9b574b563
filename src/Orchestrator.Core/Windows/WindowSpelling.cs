using System.Globalization;
using Orchestrator.Core.Enforcement;
using Orchestrator.Core.Schedules;

namespace Orchestrator.Core.Windows;

/// <summary>
/// Between the spelling of a window (<see cref="WindowFields"/>) and the domain's <see cref="WindowDefinition"/>, both
/// ways. The server and the CLI's offline <c>validate</c> read windows here so that they refuse the same fields with the
/// same messages. Reading names each field it cannot read; <see cref="WindowValidator"/> checks the values afterwards.
/// </summary>
public static class WindowSpelling
{
    public const string DateFormat = "yyyy-MM-dd";
    public const string LocalDateTimeFormat = "yyyy-MM-dd'T'HH:mm:ss";

    private const string LocalDateTimeWithoutSeconds = "yyyy-MM-dd'T'HH:mm";
    private const string DurationExample = "an ISO-8601 duration such as PT4H or PT90M";

    /// <summary>
    /// Reads every field, adding an error for each that cannot be read. A field that cannot be read takes its default so
    /// that the validator can still check the others; callers that must not act on such a window check
    /// <paramref name="errors"/> first.
    /// </summary>
    public static WindowDefinition ReadWithDefaults(WindowFields fields, List<FieldError> errors)
    {
        ArgumentNullException.ThrowIfNull(fields);
        ArgumentNullException.ThrowIfNull(errors);
        var duration = ReadDuration(fields.Duration, "duration", required: true, errors);
        var cutoff = ReadDuration(fields.Cutoff, "cutoff", required: false, errors);
        var at = ReadAt(fields.At, errors);
        var blackouts = ReadDates(fields.BlackoutDates, errors);
        var ports = ReadPorts(fields.Ports, errors);
        var scan = ReadScan(fields.Scan, errors);
        var peering = ReadPeering(fields.Peering, errors);
        var hooks = HookSpelling.Read(fields.Hooks, errors);
        var tuning = ReadDeliveryOptimization(fields.DeliveryOptimization, errors);
        if (fields.TimeZone is null)
        {
            errors.Add(new("timeZone", "required; an IANA time zone id such as Europe/Berlin"));
        }

        return new WindowDefinition
        {
            Name = fields.Name ?? "",
            Description = fields.Description,
            Schedule = new WindowSchedule
            {
                Cron = fields.Cron,
                At = at,
                TimeZone = fields.TimeZone ?? "",
                OffsetDays = fields.OffsetDays ?? 0,
                Duration = duration,
                Cutoff = cutoff,
                BlackoutDates = blackouts,
                NotBefore = fields.NotBefore,
                NotAfter = fields.NotAfter,
            },
            Groups = fields.Groups ?? [],
            Ports = ports,
            Scan = scan,
            Peering = peering,
            DeliveryOptimization = tuning,
            Enabled = fields.Enabled ?? true,
            Hooks = hooks,
        };
    }

    /// <summary>The spelling of <paramref name="tuning"/>; null when the window sets none.</summary>
    public static DeliveryOptimizationFields? FormatDeliveryOptimization(DeliveryOptimizationTuning? tuning) => tuning is null or { IsEmpty: true }
        ? null
        : new DeliveryOptimizationFields(
            tuning.MaxForegroundBandwidthKBps,
            tuning.MaxBackgroundBandwidthKBps,
            tuning.MaxForegroundBandwidthPercent,
            tuning.MaxBackgroundBandwidthPercent,
            tuning.MinFileSizeToCacheMB,
            tuning.MinRamToPeerGB,
            tuning.MinDiskSizeToPeerGB,
            tuning.MinBatteryPercentToUpload,
            tuning.RestrictPeerSelectionBy?.ToString().ToLowerInvariant());

    private static DeliveryOptimizationTuning? ReadDeliveryOptimization(DeliveryOptimizationFields? fields, List<FieldError> errors)
    {
        if (fields is null)
        {
            return null;
        }

        PeerSelectionRestriction? restriction = null;
        switch (fields.RestrictPeerSelectionBy?.ToLowerInvariant())
        {
            case null:
                break;
            case "none":
                restriction = PeerSelectionRestriction.None;
                break;
            case "subnet":
                restriction = PeerSelectionRestriction.Subnet;
                break;
            default:
                errors.Add(new("deliveryOptimization.restrictPeerSelectionBy",
                    $"'{fields.RestrictPeerSelectionBy}' is not accepted; use none (DORestrictPeerSelectionBy 0) or subnet (1)"));
                break;
        }

        var tuning = new DeliveryOptimizationTuning
        {
            MaxForegroundBandwidthKBps = fields.MaxForegroundBandwidthKBps,
            MaxBackgroundBandwidthKBps = fields.MaxBackgroundBandwidthKBps,
            MaxForegroundBandwidthPercent = fields.MaxForegroundBandwidthPercent,
            MaxBackgroundBandwidthPercent = fields.MaxBackgroundBandwidthPercent,
            MinFileSizeToCacheMB = fields.MinFileSizeToCacheMB,
            MinRamToPeerGB = fields.MinRamToPeerGB,
            MinDiskSizeToPeerGB = fields.MinDiskSizeToPeerGB,
            MinBatteryPercentToUpload = fields.MinBatteryPercentToUpload,
            RestrictPeerSelectionBy = restriction,
        };
        return tuning.IsEmpty ? null : tuning;
    }

    public static string? FormatAt(DateTime? at) => at?.ToString(LocalDateTimeFormat, CultureInfo.InvariantCulture);

    public static List<string> FormatDates(IEnumerable<DateOnly> dates) =>
        dates.Select(d => d.ToString(DateFormat, CultureInfo.InvariantCulture)).ToList();

    public static string FormatPeering(PeeringMode peering) => peering.ToString().ToLowerInvariant();

    private static TimeSpan ReadDuration(string? text, string field, bool required, List<FieldError> errors)
    {
        if (text is null)
        {
            if (required)
            {
                errors.Add(new(field, $"required; {DurationExample}"));
            }

            return TimeSpan.Zero;
        }

        if (!IsoDurations.TryParse(text, out var value))
        {
            errors.Add(new(field, $"'{text}' is not {DurationExample}"));
        }

        return value;
    }

    private static DateTime? ReadAt(string? text, List<FieldError> errors)
    {
        if (text is null)
        {
            return null;
        }

        if (!DateTime.TryParseExact(text, [LocalDateTimeFormat, LocalDateTimeWithoutSeconds], CultureInfo.InvariantCulture, DateTimeStyles.None, out var value))
        {
            errors.Add(new("at", $"'{text}' is not a local date-time such as 2027-03-09T22:00:00 (no offset: it is read in timeZone)"));
            return null;
        }

        return DateTime.SpecifyKind(value, DateTimeKind.Unspecified);
    }

    private static List<DateOnly> ReadDates(IReadOnlyList<string?>? texts, List<FieldError> errors)
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

    private static List<PortRule> ReadPorts(IReadOnlyList<PortFields>? ports, List<FieldError> errors)
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

    private static ScanPolicy ReadScan(ScanFields? scan, List<FieldError> errors)
    {
        if (scan is null)
        {
            return ScanPolicy.Default;
        }

        var limit = ScanPolicy.Default.MaxConcurrency;
        if (scan.MaxConcurrency is { } text && !ConcurrencyLimit.TryParse(text, out limit))
        {
            errors.Add(new("scan.maxConcurrency", $"'{scan.MaxConcurrencyAsWritten ?? text}' is not accepted; use {ConcurrencyLimit.Accepted}"));
        }

        return new ScanPolicy(scan.Enabled ?? true, limit, scan.MaxErrors);
    }

    private static PeeringMode ReadPeering(string? text, List<FieldError> errors)
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
