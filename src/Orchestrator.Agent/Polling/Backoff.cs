namespace Orchestrator.Agent.Polling;

/// <summary>Exponential backoff with full jitter between <c>min</c> and the current cap, so a fleet of agents
/// that lost the server together does not come back in lock-step. Reset after a good exchange.</summary>
internal sealed class Backoff(TimeSpan min, TimeSpan max, Random random)
{
    private int failures;

    public TimeSpan Next()
    {
        var cap = Math.Min(max.TotalSeconds, min.TotalSeconds * Math.Pow(2, Math.Min(failures, 30)));
        failures++;
        return TimeSpan.FromSeconds(min.TotalSeconds + (random.NextDouble() * (cap - min.TotalSeconds)));
    }

    public void Reset() => failures = 0;
}
