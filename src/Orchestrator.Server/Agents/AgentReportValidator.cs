using System.Net;
using System.Text.RegularExpressions;
using Orchestrator.Core;
using Orchestrator.Protocol;

namespace Orchestrator.Server.Agents;

/// <summary>Everything an agent reports is checked before any of it is stored: a bad row refuses the whole report.</summary>
internal static partial class AgentReportValidator
{
    public static readonly string[] Outcomes = ["Succeeded", "Failed", "TimedOut"];

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
            if (t.BytesServed < 0 || t.BytesReceived < 0)
            {
                errors.Add(new($"{field}.bytesServed", "byte counts are deltas ≥ 0"));
            }
        });
        Rows(report.Blocked, "blocked", errors, (b, field) =>
        {
            Address(b.Source, $"{field}.source", errors);
            if (b.Port is < 1 or > 65535)
            {
                errors.Add(new($"{field}.port", $"{b.Port} is out of range; accepted 1-65535"));
            }

            if (b.Count < 0)
            {
                errors.Add(new($"{field}.count", "a count ≥ 0"));
            }
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

            if (s.DurationMs < 0)
            {
                errors.Add(new($"{field}.durationMs", "a duration ≥ 0"));
            }
        });
        if (report.Repairs is not null)
        {
            FirewallRepairs.Validate(report.Repairs, errors);
        }

        return errors;
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
