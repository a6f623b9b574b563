namespace Orchestrator.Data.Postgres.Signals;

/// <summary>
/// Which numbered signals (sequence <c>signal_number</c>) have reached this node's subscribers, as the highest number
/// up to which all have. Numbers may arrive out of order (two nodes publish at once); one that never arrives (its sender
/// failed between taking the number and committing) is skipped once "everything" has been delivered in its place.
/// </summary>
internal sealed class SignalLedger
{
    private readonly Lock _gate = new();
    private readonly SortedSet<long> _ahead = [];
    private readonly List<(long Number, TaskCompletionSource<bool> Reached)> _waiters = [];
    private long _applied;
    private bool _open;

    /// <summary>Whether numbers are being recorded: the listener is listening.</summary>
    public bool IsOpen
    {
        get
        {
            lock (_gate)
            {
                return _open;
            }
        }
    }

    /// <summary>Every number up to and including this one has reached the subscribers (or was covered by "everything").</summary>
    public long Applied
    {
        get
        {
            lock (_gate)
            {
                return _applied;
            }
        }
    }

    /// <summary>Listening (again), right after "everything" was delivered: every number up to
    /// <paramref name="latest"/> (read after LISTEN took effect) is covered by it.</summary>
    public void Open(long latest)
    {
        List<TaskCompletionSource<bool>> reached;
        lock (_gate)
        {
            _open = true;
            reached = AdvanceLocked(latest);
        }

        Complete(reached, true);
    }

    /// <summary>The listener stopped: nothing more will be recorded until <see cref="Open"/>, and every waiter hears no.</summary>
    public void Close()
    {
        List<TaskCompletionSource<bool>> waiting;
        lock (_gate)
        {
            _open = false;
            waiting = [.. _waiters.Select(w => w.Reached)];
            _waiters.Clear();
        }

        Complete(waiting, false);
    }

    /// <summary>Signal <paramref name="number"/> has reached the subscribers (or was this node's own, delivered before it
    /// was sent).</summary>
    public void Record(long number)
    {
        List<TaskCompletionSource<bool>> reached;
        lock (_gate)
        {
            if (number <= _applied)
            {
                return;
            }

            _ahead.Add(number);
            reached = AdvanceLocked(_applied);
        }

        Complete(reached, true);
    }

    /// <summary>True when every number up to <paramref name="number"/> has been applied, waiting up to
    /// <paramref name="patience"/> for the ones still on their way; false when closed, or not in time.</summary>
    public async ValueTask<bool> ReachedAsync(long number, TimeSpan patience, TimeProvider time, CancellationToken cancellationToken)
    {
        TaskCompletionSource<bool> reached;
        lock (_gate)
        {
            if (!_open || _applied >= number)
            {
                return _open;
            }

            reached = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((number, reached));
        }

        try
        {
            return await reached.Task.WaitAsync(patience, time, cancellationToken);
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>"Everything" has been delivered in place of the numbers up to <paramref name="number"/> that did not
    /// arrive: they count as applied.</summary>
    public void SkipTo(long number)
    {
        List<TaskCompletionSource<bool>> reached;
        lock (_gate)
        {
            reached = AdvanceLocked(number);
        }

        Complete(reached, true);
    }

    private List<TaskCompletionSource<bool>> AdvanceLocked(long atLeast)
    {
        _applied = Math.Max(_applied, atLeast);
        while (_ahead.Count > 0 && _ahead.Min <= _applied + 1)
        {
            _applied = Math.Max(_applied, _ahead.Min);
            _ahead.Remove(_ahead.Min);
        }

        var reached = new List<TaskCompletionSource<bool>>();
        _waiters.RemoveAll(w =>
        {
            if (w.Number > _applied)
            {
                return false;
            }

            reached.Add(w.Reached);
            return true;
        });
        return reached;
    }

    private static void Complete(List<TaskCompletionSource<bool>> waiters, bool reached)
    {
        foreach (var waiter in waiters)
        {
            waiter.TrySetResult(reached);
        }
    }
}
