extern alias agent;
using System.Diagnostics;
using System.Net;
using agent::Orchestrator.Agent.Server;
using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.Protocol;
using Orchestrator.Server.Tests.Agents;

namespace Orchestrator.Server.Tests.Cluster;

/// <summary>
/// An enrolled agent given several server URLs, as <c>Agent:ServerUrl</c> takes them: its requests go through the
/// agent's own <see cref="ServerFailoverHandler"/>, and it long-polls without pause, recording every answer and which
/// node it is on.
/// </summary>
public sealed class FailoverAgent : IAsyncDisposable
{
    private readonly ServerNodes _nodes;
    private readonly HttpClient _http;
    private readonly TestAgent _agent;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<(TimeSpan At, DesiredStateV1 State, Uri Node)> _answers = [];
    private readonly Stopwatch _clock;
    private Task _loop = Task.CompletedTask;

    public FailoverAgent(EnrollResponseV1 credential, string address, Stopwatch clock, params Uri[] urls)
    {
        _nodes = new ServerNodes(urls);
        _clock = clock;
        _http = new HttpClient(new ServerFailoverHandler(_nodes, NullLogger<ServerFailoverHandler>.Instance) { InnerHandler = new SocketsHttpHandler() })
        {
            BaseAddress = urls[0],
            Timeout = TimeSpan.FromSeconds(40),
        };
        _agent = new TestAgent(_http, credential, address);
    }

    public string Hostname { get; init; } = "";

    /// <summary>The node the agent talks to now.</summary>
    public Uri Current => _nodes.Current;

    public IReadOnlyList<(TimeSpan At, DesiredStateV1 State, Uri Node)> Answers
    {
        get
        {
            lock (_answers)
            {
                return [.. _answers];
            }
        }
    }

    public void Start() => _loop = Task.Run(PollAsync);

    private async Task PollAsync()
    {
        long version = 0;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var (status, state) = await _agent.PollAsync(version, 25);
                if (status == HttpStatusCode.OK && state is not null)
                {
                    lock (_answers)
                    {
                        _answers.Add((_clock.Elapsed, state, _nodes.Current));
                    }

                    version = state.Version;
                }
            }
            catch (Exception) when (!_stop.IsCancellationRequested)
            {
                // Every node down for a moment, or a timeout: the agent's backoff, shortened.
                await Task.Delay(200);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _http.CancelPendingRequests();
        try
        {
            await _loop.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception) when (_loop.IsCompleted || _loop.IsFaulted)
        {
            // The loop ended with the test; nothing to keep.
        }

        _http.Dispose();
        _stop.Dispose();
    }
}
