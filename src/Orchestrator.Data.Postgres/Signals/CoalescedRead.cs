namespace Orchestrator.Data.Postgres.Signals;

/// <summary>
/// A read that every caller needs to have started after it asked (it must see what was committed before), shared by
/// as many callers as possible: at most one read runs at a time, and the callers who ask while it runs share the next
/// one. However many ask, the database sees at most one read per round trip.
/// </summary>
internal sealed class CoalescedRead<T>(Func<Task<T>> read)
{
    private readonly Lock _gate = new();
    private TaskCompletionSource<T>? _running;
    private TaskCompletionSource<T>? _next;

    /// <summary>The result of a read that starts after this call.</summary>
    public Task<T> ReadAsync()
    {
        TaskCompletionSource<T> started;
        lock (_gate)
        {
            if (_running is not null)
            {
                // The running read may have started before this caller asked: it takes the next one.
                return (_next ??= new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
            }

            _running = started = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        _ = RunAsync(started);
        return started.Task;
    }

    private async Task RunAsync(TaskCompletionSource<T>? current)
    {
        while (current is not null)
        {
            try
            {
                current.SetResult(await read());
            }
            catch (Exception e)
            {
                current.SetException(e);
            }

            lock (_gate)
            {
                _running = current = _next;
                _next = null;
            }
        }
    }
}
