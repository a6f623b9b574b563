using System.Text;
using Orchestrator.Data.Reports;

namespace Orchestrator.Server.Reports;

/// <summary>Every endpoint row of a run report, and every transfer pair, as CSV.</summary>
internal static class RunReportCsv
{
    public static string Endpoints(RunReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var csv = new StringBuilder(256 + (report.Endpoints.Count * 160));
        Csv.Line(csv, "run_id", "endpoint_id", "hostname", "address", "agent", "last_seen_at", "apply_error", "open_ack_ms", "close",
            "close_ack_ms", "scan", "scan_duration_ms", "scan_exit_code", "bytes_served", "bytes_received", "bytes_from_http", "anomalies",
            "bytes_source", "peer_share");
        var run = Csv.Cell(report.Run.Id);
        foreach (var r in report.Endpoints)
        {
            Csv.Line(csv, run, Csv.Cell(r.EndpointId), Csv.Cell(r.Hostname), Csv.Cell(r.Address), Csv.Cell(r.Agent), Csv.Cell(ReportText.Iso(r.LastSeenAt)),
                Csv.Cell(r.ApplyError), Csv.Cell(r.OpenAckMs), Csv.Cell(r.Close), Csv.Cell(r.CloseAckMs), Csv.Cell(r.Scan), Csv.Cell(r.ScanDurationMs),
                Csv.Cell(r.ScanExitCode), Csv.Cell(r.BytesServed), Csv.Cell(r.BytesReceived), Csv.Cell(r.BytesFromHttp), Csv.Cell(string.Join(' ', r.Problems)),
                Csv.Cell(r.BytesSource), Csv.Cell(r.PeerShare?.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture)));
        }

        return csv.ToString();
    }

    public const string TransfersHeader = "run_id,serving_endpoint_id,serving_hostname,peer_address,receiving_endpoint_id,receiving_hostname,bytes\r\n";

    public static string Transfer(long runId, PeerTransfer t)
    {
        ArgumentNullException.ThrowIfNull(t);
        var line = new StringBuilder(96);
        Csv.Line(line, Csv.Cell(runId), Csv.Cell(t.ServingEndpointId), Csv.Cell(t.ServingHostname), Csv.Cell(t.PeerAddress),
            Csv.Cell(t.ReceivingEndpointId), Csv.Cell(t.ReceivingHostname), Csv.Cell(t.Bytes));
        return line.ToString();
    }
}
