using Orchestrator.Core.Runs;

namespace Orchestrator.Core.Reports;

/// <summary>Turns a member's facts into its row of the per-endpoint table (latencies, close and scan status).</summary>
public static class EndpointRows
{
    public static EndpointRow For(RunFacts run, MemberFacts member, DateTimeOffset now, ReportThresholds thresholds)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(member);
        ArgumentNullException.ThrowIfNull(thresholds);
        var agent = member.Agent is null ? AgentStatus.NoAgent
            : member.Agent.LastSeenAt is { } seen && now - seen <= thresholds.AgentOfflineAfter ? AgentStatus.Online
            : AgentStatus.Offline;
        var openLatency = run.OpenedAt is { } opened && member.OpenAckedAt is { } acked ? NonNegative(acked - opened) : (TimeSpan?)null;
        var closeLatency = CloseReference(run) is { } reference && member.CloseAckedAt is { } closeAck ? NonNegative(closeAck - reference) : (TimeSpan?)null;
        return new EndpointRow(
            member.EndpointId,
            member.Hostname,
            member.Addresses.Count > 0 ? member.Addresses[0] : "",
            agent,
            member.Agent?.LastSeenAt,
            member.Agent?.ApplyError,
            openLatency,
            CloseOf(run, member, now),
            closeLatency,
            ScanOf(run, member.Scan, now, thresholds),
            member.Scan?.DurationMs,
            member.Scan?.ExitCode,
            member.BytesServed,
            member.BytesReceived,
            member.BytesFromHttp,
            [],
            member.BytesSource);
    }

    /// <summary>When the opening stopped for the endpoints: the server's close, or the planned end if that came
    /// first (the endpoint's firewall expiry and its next desired state both follow the planned end).</summary>
    public static DateTimeOffset? CloseReference(RunFacts run)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (run.OpenedAt is null)
        {
            return null;
        }

        return run.ClosedAt is { } closed && closed < run.PlannedEnd ? closed : RunStates.IsFinal(run.State) || run.State == RunState.Closing ? run.PlannedEnd : null;
    }

    private static CloseStatus CloseOf(RunFacts run, MemberFacts member, DateTimeOffset now)
    {
        if (run.OpenedAt is null)
        {
            return CloseStatus.NotOpened;
        }

        switch (member.CloseState)
        {
            case MemberClose.ConfirmedLate:
                return CloseStatus.ConfirmedLate;
            case MemberClose.Confirmed:
                return CloseStatus.Confirmed;
            case MemberClose.Unconfirmed or MemberClose.ClosedByExpiryUnconfirmed:
                // Read against the expiry now, whatever was stored: before the planned end nothing has expired yet
                // (rows settled before this rule existed said "closed by expiry" after a close-now). A member with no
                // agent that never acknowledged the opening had nothing to close.
                if (member.Agent is null && member.OpenAckedAt is null)
                {
                    return CloseStatus.NotOpened;
                }

                return now < run.PlannedEnd ? CloseStatus.UnconfirmedMayBeOpen : CloseStatus.ClosedByExpiryUnconfirmed;
        }

        if (member.CloseAckedAt is not null)
        {
            return CloseStatus.Confirmed;
        }

        var ended = RunStates.IsFinal(run.State) || run.State == RunState.Closing || now >= run.PlannedEnd;
        return ended ? CloseStatus.AwaitingConfirmation : CloseStatus.Open;
    }

    private static ScanStatus ScanOf(RunFacts run, ScanFacts? scan, DateTimeOffset now, ReportThresholds thresholds)
    {
        if (scan is null)
        {
            return run.ScansEnabled ? ScanStatus.NotDispatched : ScanStatus.Disabled;
        }

        return scan.Outcome switch
        {
            "Succeeded" => ScanStatus.Succeeded,
            "Failed" => ScanStatus.Failed,
            "TimedOut" => ScanStatus.TimedOut,
            null when now - scan.DispatchedAt >= TimeSpan.FromSeconds(scan.TimeoutSeconds) + thresholds.ScanOverdueGrace => ScanStatus.Overdue,
            null => ScanStatus.Running,
            _ => ScanStatus.Failed,
        };
    }

    private static TimeSpan NonNegative(TimeSpan value) => value < TimeSpan.Zero ? TimeSpan.Zero : value;
}
