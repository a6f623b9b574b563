using System.Threading.Channels;
using Orchestrator.Data.Runs;

namespace Orchestrator.Server.Agents;

/// <summary>
/// Writes the opening acknowledgements that agents' state polls carry (<see cref="Protocol.AgentProtocolV1.AckByPollFeature"/>)
/// in batches, one transaction for many endpoints: when a run of 10,000 members opens, 10,000 polls acknowledge it
/// within a second, and a write each would cost about what the acknowledgement report it replaces did. Each
/// acknowledgement keeps the time its poll arrived. One that is lost (queue full, failed write, server stopped before
/// the write) is not lost for the run: the agent's next report still carries its applied version and acknowledges the
/// opening then, as before ack-by-poll, with that report's later time.
/// </summary>
internal sealed class PollAcknowledgements(IRunStore runs, ILogger<PollAcknowledgements> logger) : BackgroundService
{
    /// <summary>Most acknowledgements written in one transaction.</summary>
    public const int BatchSize = 1_000;

    /// <summary>Most acknowledgements waiting to be written; beyond it a poll's acknowledgement is left to the agent's
    /// next report (one per agent and state change, so a full queue means the database is not keeping up).</summary>
    public const int QueueCapacity = 100_000;

    private readonly Channel<OpeningAcknowledgement> _queue = Channel.CreateBounded<OpeningAcknowledgement>(
        new BoundedChannelOptions(QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });

    public void Record(OpeningAcknowledgement acknowledgement) => _queue.Writer.TryWrite(acknowledgement);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<OpeningAcknowledgement>(BatchSize);
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                while (batch.Count < BatchSize && _queue.Reader.TryRead(out var acknowledgement))
                {
                    batch.Add(acknowledgement);
                }

                await WriteAsync(batch, stoppingToken);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: what is queued is written below.
        }

        while (_queue.Reader.TryRead(out var acknowledgement))
        {
            batch.Add(acknowledgement);
        }

        await WriteAsync(batch, CancellationToken.None);
    }

    private async Task WriteAsync(List<OpeningAcknowledgement> batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return;
        }

        try
        {
            await runs.AcknowledgeOpeningsAsync(batch, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Catch-all on purpose: a failed write (database busy, disk full) must not end the writer; the agents' next
            // reports acknowledge these openings instead.
            logger.LogWarning("{Count} opening acknowledgements from polls not written, left to the agents' next reports: {Message}", batch.Count, ex.Message);
        }
    }
}
