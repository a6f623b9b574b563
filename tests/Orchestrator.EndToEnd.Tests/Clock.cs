namespace Orchestrator.EndToEnd.Tests;

/// <summary>Wall-clock waits: the server, the agents' kernels and the tests share the machine's clock.</summary>
internal static class Clock
{
    public static DateTimeOffset Now => TimeProvider.System.GetUtcNow();

    public static async Task DelayUntilAsync(DateTimeOffset instant, CancellationToken cancellationToken)
    {
        var wait = instant - Now;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, cancellationToken);
        }
    }
}
