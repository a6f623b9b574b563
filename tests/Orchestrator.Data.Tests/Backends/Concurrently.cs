namespace Orchestrator.Data.Tests.Backends;

/// <summary>
/// Attempts started together, as requests reaching several server nodes at once: each on its own thread and
/// connection, released by one gate, so that they meet inside the database rather than queue in the test.
/// </summary>
public static class Concurrently
{
    /// <summary>Runs <paramref name="attempt"/> for 0..count-1 at once; each outcome is its result or its exception.</summary>
    public static async Task<(T? Result, Exception? Error)[]> RunAsync<T>(int count, Func<int, Task<T>> attempt)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        using var gate = new ManualResetEventSlim();
        var attempts = Enumerable.Range(0, count).Select(i => Task.Run(async () =>
        {
            gate.Wait(TestContext.Current.CancellationToken);
            try
            {
                return (await attempt(i), (Exception?)null);
            }
            catch (Exception e)
            {
                return (default(T), e);
            }
        })).ToList();
        gate.Set();
        return await Task.WhenAll(attempts);
    }
}
