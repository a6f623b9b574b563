using System.Collections.Concurrent;
using Orchestrator.Server.Hosting;

namespace Orchestrator.Server.Access;

/// <summary>
/// Agent limits, applied by <see cref="Agents.AgentAuthentication"/> once it knows the outcome: an authenticated agent
/// spends its own budget (by agent id), a refused credential spends its client address's budget. Partitioning by the
/// claimed agent id before authentication let anyone who knew an agent's id spend that agent's budget with a wrong
/// secret and lock it out.
/// </summary>
/// <remarks>
/// Fixed one-minute windows counted in place (<see cref="Windows"/>), not the framework's partitioned limiter: with
/// 10,000 agents that kept a limiter, its options and a queue per agent, and its heartbeat walked all of them ten times
/// a second.
/// </remarks>
internal sealed class AgentRateLimiter(Microsoft.Extensions.Options.IOptions<OrchestratorOptions> options, TimeProvider time)
{
    private readonly Windows _agents = new(options.Value.AgentRequestsPerMinute, time);
    private readonly Windows _refused = new(options.Value.AgentRefusedAttemptsPerMinute, time);

    /// <summary>Null when the agent may go on; otherwise how long it should wait.</summary>
    public TimeSpan? Authenticated(string agentId) => _agents.Take(agentId);

    /// <summary>Null when the client may be told "refused" (401); otherwise it is over its budget of refusals (429).</summary>
    public TimeSpan? Refused(HttpContext http) => _refused.Take(http.Connection.RemoteIpAddress?.ToString() ?? "unknown");

    /// <summary>
    /// Per key, a window of one minute opens at its first request and allows <paramref name="permits"/> requests until
    /// it ends; past them, a request is told how long is left. Windows that have ended are dropped once a minute.
    /// </summary>
    internal sealed class Windows(int permits, TimeProvider time)
    {
        private static readonly TimeSpan Length = TimeSpan.FromMinutes(1);

        private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);
        private readonly long _length = (long)(Length.TotalSeconds * time.TimestampFrequency);
        private long _nextSweep;

        /// <summary>Keys with a window, ended or not (dropped at the next sweep once ended).</summary>
        internal int Count => _windows.Count;

        /// <summary>Null when <paramref name="key"/> may go on; otherwise how long until its window ends.</summary>
        public TimeSpan? Take(string key)
        {
            var now = time.GetTimestamp();
            Sweep(now);
            var window = _windows.GetOrAdd(key, static _ => new Window());
            lock (window)
            {
                if (window.Taken == 0 || now - window.Start >= _length)
                {
                    (window.Start, window.Taken) = (now, 0);
                }

                if (window.Taken < permits)
                {
                    window.Taken++;
                    return null;
                }

                return TimeSpan.FromSeconds((double)(window.Start + _length - now) / time.TimestampFrequency);
            }
        }

        private void Sweep(long now)
        {
            var due = Volatile.Read(ref _nextSweep);
            if (now < due || Interlocked.CompareExchange(ref _nextSweep, now + _length, due) != due)
            {
                return;
            }

            foreach (var (key, window) in _windows)
            {
                lock (window)
                {
                    // Under the window's lock: a request that took from it in the meantime has moved its start on. One
                    // that got it just before the removal counts in the dropped window: at most a few extra permits,
                    // at the end of a window that had ended anyway.
                    if (now - window.Start >= _length)
                    {
                        _windows.TryRemove(KeyValuePair.Create(key, window));
                    }
                }
            }
        }

        private sealed class Window
        {
            public long Start;
            public int Taken;
        }
    }
}
