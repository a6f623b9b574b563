using System.Net;
using System.Text.RegularExpressions;
using Orchestrator.Core;
using Orchestrator.Core.Endpoints;
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
            Address(t.Peer, $"{field}.peer", errors, peer: true);
            Counter(t.BytesServed, AgentProtocolV1.MaxBytesPerRow, $"{field}.bytesServed", "bytes since the previous report", errors);
            Counter(t.BytesReceived, AgentProtocolV1.MaxBytesPerRow, $"{field}.bytesReceived", "bytes since the previous report", errors);
        });
        Rows(report.Blocked, "blocked", errors, (b, field) =>
        {
            Address(b.Source, $"{field}.source", errors, peer: false);
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

        if (report.DeliveryOptimization is { } stats)
        {
            DeliveryOptimization(stats, errors);
        }

        return errors;
    }

    /// <summary>Delivery Optimization's figures are deltas like the traffic counters, with the same bounds; its peer rows
    /// follow the traffic peer rule (an address a member could have; one outside the run is accepted and reported).</summary>
    private static void DeliveryOptimization(DeliveryOptimizationStatsV1 stats, List<FieldError> errors)
    {
        const string what = "bytes since the previous report";
        const string at = "deliveryOptimization.";
        Counter(stats.BytesFromHttp, AgentProtocolV1.MaxBytesPerRow, at + "bytesFromHttp", what, errors);
        Counter(stats.BytesFromPeers, AgentProtocolV1.MaxBytesPerRow, at + "bytesFromPeers", what, errors);
        Counter(stats.BytesFromLanPeers, AgentProtocolV1.MaxBytesPerRow, at + "bytesFromLanPeers", what, errors);
        Counter(stats.BytesFromGroupPeers, AgentProtocolV1.MaxBytesPerRow, at + "bytesFromGroupPeers", what, errors);
        Counter(stats.BytesFromInternetPeers, AgentProtocolV1.MaxBytesPerRow, at + "bytesFromInternetPeers", what, errors);
        Counter(stats.BytesFromCacheServer, AgentProtocolV1.MaxBytesPerRow, at + "bytesFromCacheServer", what, errors);
        Counter(stats.BytesToLanPeers, AgentProtocolV1.MaxBytesPerRow, at + "bytesToLanPeers", what, errors);
        Counter(stats.BytesToGroupPeers, AgentProtocolV1.MaxBytesPerRow, at + "bytesToGroupPeers", what, errors);
        Counter(stats.BytesToInternetPeers, AgentProtocolV1.MaxBytesPerRow, at + "bytesToInternetPeers", what, errors);
        Rows(stats.Peers, at + "peers", errors, (p, field) =>
        {
            Address(p.Peer, $"{field}.peer", errors, peer: true);
            Counter(p.BytesServed, AgentProtocolV1.MaxBytesPerRow, $"{field}.bytesServed", "bytes sent to the peer since the previous report", errors);
            Counter(p.BytesReceived, AgentProtocolV1.MaxBytesPerRow, $"{field}.bytesReceived", "bytes received from the peer since the previous report", errors);
        });
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

    // A traffic peer is always another member's address, which passed the address rule when it was stored: anything
    // else cannot be a peer. A blocked source is whoever knocked, so any unicast or link-local host may appear there;
    // neither may carry a zone id, which names an interface of the reporting host and means nothing to the server.
    // Spelling is not checked against the canonical form: nft and .NET print some IPv6 forms differently, and a
    // refused report is retried for ever, holding back every later one.
    private static void Address(string? text, string field, List<FieldError> errors, bool peer)
    {
        if (text is null || text.Length > PeerAddresses.MaxTextLength || text.Contains('/', StringComparison.Ordinal) || !IPAddress.TryParse(text, out var parsed))
        {
            errors.Add(new(field, $"'{text}' is not a single IPv4 or IPv6 address"));
        }
        else if (text.Contains('%', StringComparison.Ordinal) || (parsed.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && parsed.ScopeId != 0))
        {
            errors.Add(new(field, $"'{text}' has a zone id; expected the address alone"));
        }
        else if (peer && !PeerAddresses.IsUsable(parsed))
        {
            errors.Add(new(field, $"'{text}' cannot be a peer: {PeerAddresses.Problem(parsed.ToString(), out _)}; a peer is another member's address, which passes the address rule"));
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex Id();
}
