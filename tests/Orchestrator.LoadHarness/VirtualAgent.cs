using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Orchestrator.Protocol;

namespace Orchestrator.LoadHarness;

/// <summary>
/// One endpoint's agent, minus the firewall: long-polls its desired state, acknowledges every new state with a report
/// that carries the applied version (as the real agent does once it applied it), and reports a few traffic rows every
/// <see cref="ReportInterval"/>.
/// </summary>
internal sealed class VirtualAgent(int index, int group, string address, EnrollResponseV1 credential, IReadOnlyList<string> peers)
{
    public static readonly TimeSpan ReportInterval = TimeSpan.FromSeconds(5);

    private readonly string _authorization = $"{AgentProtocolV1.AuthScheme} {credential.AgentId}:{credential.Secret}";
    private long _version;
    private long _reportSequence;

    public int Index { get; } = index;

    public int Group { get; } = group;

    public string Address { get; } = address;

    /// <summary>Unix ms at which the first state of any kind arrived (the agent is "connected").</summary>
    public long FirstStateAt { get; private set; }

    /// <summary>Unix ms at which the first state with an opening arrived; 0 until then.</summary>
    public long OpenReceivedAt { get; private set; }

    /// <summary>Unix ms at which a state without openings arrived after an open one; 0 until then.</summary>
    public long ClosedReceivedAt { get; private set; }

    public async Task PollLoopAsync(Fleet fleet, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var request = new HttpRequestMessage(
                    HttpMethod.Get, string.Create(CultureInfo.InvariantCulture, $"{AgentProtocolV1.StatePath}?version={_version}&wait=25"));
                request.Headers.TryAddWithoutValidation("Authorization", _authorization);
                using var response = await fleet.Http.SendAsync(request, cancellationToken);
                var at = fleet.NowMs();
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    var state = (await response.Content.ReadFromJsonAsync<DesiredStateV1>(Fleet.Json, cancellationToken))!;
                    Observe(state, at);
                    Interlocked.Increment(ref fleet.Counters.States);
                    await ReportAsync(fleet, traffic: 0, cancellationToken);
                }
                else if (response.StatusCode == HttpStatusCode.NotModified)
                {
                    Interlocked.Increment(ref fleet.Counters.NotModified);
                }
                else
                {
                    Interlocked.Increment(ref fleet.Counters.PollErrors);
                    await Task.Delay(1_000, cancellationToken);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception)
            {
                // A real agent backs off and polls again; the harness counts it so a figure never hides failures.
                Interlocked.Increment(ref fleet.Counters.PollErrors);
                await Task.Delay(1_000, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    public async Task ReportLoopAsync(Fleet fleet, TimeSpan firstDelay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(firstDelay, cancellationToken);
            using var timer = new PeriodicTimer(ReportInterval);
            do
            {
                await ReportAsync(fleet, traffic: fleet.TrafficRowsPerReport, cancellationToken);
            }
            while (await timer.WaitForNextTickAsync(cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One report with <paramref name="traffic"/> rows toward this agent's group peers; true when accepted.</summary>
    public async Task<bool> ReportAsync(Fleet fleet, int traffic, CancellationToken cancellationToken, bool throttled = true)
    {
        var rows = new List<PeerTrafficV1>(traffic);
        for (var i = 0; i < traffic && peers.Count > 0; i++)
        {
            rows.Add(new PeerTrafficV1(peers[(int)((_reportSequence + i) % peers.Count)], 1_048_576 + i, 4_096));
        }

        var id = string.Create(CultureInfo.InvariantCulture, $"{Index}-{Interlocked.Increment(ref _reportSequence)}");
        var version = Interlocked.Read(ref _version);
        var report = new AgentReportV1(id, version == 0 ? null : version, null, [], rows, []);
        if (throttled)
        {
            await fleet.ReportSlots.WaitAsync(cancellationToken);
        }

        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, AgentProtocolV1.ReportPath) { Content = JsonContent.Create(report, options: Fleet.Json) };
            request.Headers.TryAddWithoutValidation("Authorization", _authorization);
            using var response = await fleet.Http.SendAsync(request, cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                Interlocked.Increment(ref fleet.Counters.Reports);
                Interlocked.Add(ref fleet.Counters.TrafficRows, rows.Count);
                return true;
            }

            Interlocked.Increment(ref fleet.Counters.ReportErrors);
            return false;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception)
        {
            Interlocked.Increment(ref fleet.Counters.ReportErrors);
            return false;
        }
        finally
        {
            if (throttled)
            {
                fleet.ReportSlots.Release();
            }
        }
    }

    private void Observe(DesiredStateV1 state, long at)
    {
        Interlocked.Exchange(ref _version, state.Version);
        if (FirstStateAt == 0)
        {
            FirstStateAt = at;
        }

        if (state.Openings.Count > 0)
        {
            if (OpenReceivedAt == 0)
            {
                OpenReceivedAt = at;
            }
        }
        else if (OpenReceivedAt != 0 && ClosedReceivedAt == 0)
        {
            ClosedReceivedAt = at;
        }
    }
}
