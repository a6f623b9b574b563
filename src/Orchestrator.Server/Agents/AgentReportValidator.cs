using System.Net;
using System.Text.RegularExpressions;
using Orchestrator.Core;
using Orchestrator.Protocol;

namespace Orchestrator.Server.Agents;

/// <summary>Everything an agent reports is checked before any of it is stored: a bad row refuses the whole report.</summary>
internal static partial class AgentReportValidator
{
    public static readonly string[] Outcomes = [.. ScanOutcomeNameV1.All];

    public static List<FieldError> Validate(AgentReportV1? report)
    {
        var errors = new List<FieldError>();
        if (report is null)
        {
            errors.Add(new("$", "a report object is required"));
            return errors;
        }

        if (report.ReportId is null || !Id().IsMatch(report.ReportId))
        {
            errors.Add(new("reportId", "required; 1-64 characters of letters, digits, '-' or '_' (a new one per batch, the same one on retry)"));
        }

        if (report.ApplyError is { Length: > 2_000 })
        {
            errors.Add(new("applyError", "at most 2000 characters"));
        }

        if (report.AppliedVersion is < 0)
        {
            errors.Add(new("appliedVersion", "a version the server sent (≥ 0)"));
        }

        Rows(report.Traffic, "traffic", errors, (t, field) =>
        {
            Address(t.Peer, $"{field}.peer", errors);
            Counter(t.BytesServed, AgentProtocolV1.MaxBytesPerRow, $"{field}.bytesServed", "bytes since the previous report", errors);
            Counter(t.BytesReceived, AgentProtocolV1.MaxBytesPerRow, $"{field}.bytesReceived", "bytes since the previous report", errors);
        });
        Rows(report.Blocked, "blocked", errors, (b, field) =>
        {
            Address(b.Source, $"{field}.source", errors);
            if (b.Port is < 1 or > 65535)
            {
                errors.Add(new($"{field}.port", $"{b.Port} is out of range; accepted 1-65535"));
            }

            Counter(b.Count, AgentProtocolV1.MaxBlockedPerRow, $"{field}.count", "dropped attempts since the previous report", errors);
        });
        Rows(report.Scans, "scans", errors, (s, field) =>
        {
            if (s.ScanId is null || !Id().IsMatch(s.ScanId))
            {
                errors.Add(new($"{field}.scanId", "the scanId the server sent"));
            }

            if (!Outcomes.Contains(s.Outcome))
            {
                errors.Add(new($"{field}.outcome", $"'{s.Outcome}' is not accepted; use {string.Join(", ", Outcomes)}"));
            }

            Counter(s.DurationMs, AgentProtocolV1.MaxScanDurationMs, $"{field}.durationMs", "milliseconds the scan took (24 hours, the longest run)", errors);
        });
        if (report.Repairs is not null)
        {
            FirewallRepairs.Validate(report.Repairs, errors);
        }

        return errors;
    }

    /// <summary>Counters are bounded so that no stored value is implausible and no sum of them can overflow; the bounds
    /// and why are in <see cref="AgentProtocolV1"/> and docs/security.md.</summary>
    private static void Counter(long value, long max, string field, string what, List<FieldError> errors)
    {
        if (value < 0 || value > max)
        {
            errors.Add(new(field, string.Create(
                System.Globalization.CultureInfo.InvariantCulture,
                $"{value} is out of range; accepted 0 to at most {max:N0} ({what}); larger values are not plausible and are refused")));
        }
    }

    private static void Rows<T>(IReadOnlyList<T>? rows, string field, List<FieldError> errors, Action<T, string> check)
    {
        if (rows is null)
        {
            errors.Add(new(field, "required; an array (may be empty)"));
            return;
        }

        if (rows.Count > AgentProtocolV1.MaxRowsPerReport)
        {
            errors.Add(new(field, $"at most {AgentProtocolV1.MaxRowsPerReport} rows per report; split larger batches"));
            return;
        }

        for (var i = 0; i < rows.Count; i++)
        {
            if (rows[i] is null)
            {
                errors.Add(new($"{field}[{i}]", "a row object is required"));
                continue;
            }

            check(rows[i], $"{field}[{i}]");
        }
    }

    private static void Address(string? text, string field, List<FieldError> errors)
    {
        if (text is null || text.Length > 45 || text.Contains('/', StringComparison.Ordinal) || !IPAddress.TryParse(text, out _))
        {
            errors.Add(new(field, $"'{text}' is not a single IPv4 or IPv6 address"));
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex Id();
}
