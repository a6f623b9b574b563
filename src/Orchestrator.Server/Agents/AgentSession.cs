using System.Security.Cryptography;
using System.Text;

namespace Orchestrator.Server.Agents;

/// <summary>
/// An agent whose credential this server verified, kept in memory by <see cref="AgentAuthentication"/>, with what
/// this server last wrote for it: agents poll and report thousands of times a minute, and most of those calls would
/// otherwise write the same row again.
/// </summary>
internal sealed class AgentSession(AgentIdentity identity, string secretHash, long verifiedAtMs)
{
    private readonly byte[] _secretHash = Encoding.ASCII.GetBytes(secretHash);
    private long _lastSeenWrittenMs;
    private long? _recordedVersion;
    private string? _recordedError;
    private bool _recorded;
    private long _ackedVersion;
    private long _ackedGeneration = -1;
    private long _pollAckedVersion;
    private long _pollAckedGeneration = -1;
    private long _verifiedAtMs = verifiedAtMs;

    public AgentIdentity Identity { get; } = identity;

    public long VerifiedAtMs => Interlocked.Read(ref _verifiedAtMs);

    /// <summary>The store confirmed the same credential again: what this server wrote for the agent is still true.</summary>
    public void Reverified(long nowMs) => Interlocked.Exchange(ref _verifiedAtMs, nowMs);

    public bool Matches(string presentedSecretHash) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(presentedSecretHash), _secretHash);

    /// <summary>True when last-seen was not written within <paramref name="interval"/>; claims the write.</summary>
    public bool ClaimLastSeenWrite(long nowMs, TimeSpan interval)
    {
        var last = Interlocked.Read(ref _lastSeenWrittenMs);
        return nowMs - last >= (long)interval.TotalMilliseconds && Interlocked.CompareExchange(ref _lastSeenWrittenMs, nowMs, last) == last;
    }

    /// <summary>True when the applied version or error differ from what was last recorded (or last-seen is due).</summary>
    public bool NeedsAppliedWrite(long? version, string? error, long nowMs, TimeSpan interval)
    {
        lock (_secretHash)
        {
            if (!_recorded || _recordedVersion != version || !string.Equals(_recordedError, error, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return ClaimLastSeenWrite(nowMs, interval);
    }

    public void AppliedWritten(long? version, string? error, long nowMs)
    {
        lock (_secretHash)
        {
            _recorded = true;
            _recordedVersion = version ?? _recordedVersion;
            _recordedError = error;
        }

        Interlocked.Exchange(ref _lastSeenWrittenMs, nowMs);
    }

    /// <summary>
    /// True when this agent already acknowledged <paramref name="version"/> and the endpoint's runs have not changed
    /// since (<paramref name="generation"/> of <see cref="DesiredStateNotifier"/>): the acknowledgement would change nothing.
    /// </summary>
    public bool AlreadyAcknowledged(long version, long generation)
    {
        lock (_secretHash)
        {
            return _ackedVersion == version && _ackedGeneration == generation;
        }
    }

    /// <summary>
    /// True the first time this agent's poll says it has <paramref name="version"/> in force at <paramref name="generation"/>
    /// (and claims it): every later poll says the same until the state changes, and acknowledges nothing new. Kept apart
    /// from the report's acknowledgement, which also confirms closes.
    /// </summary>
    public bool ClaimPollAcknowledgement(long version, long generation)
    {
        lock (_secretHash)
        {
            if (_pollAckedVersion == version && _pollAckedGeneration == generation)
            {
                return false;
            }

            (_pollAckedVersion, _pollAckedGeneration) = (version, generation);
            return true;
        }
    }

    public void Acknowledged(long version, long generation)
    {
        lock (_secretHash)
        {
            _ackedVersion = version;
            _ackedGeneration = generation;
        }
    }
}
