namespace Orchestrator.Data.Tests.Backends;

/// <summary>
/// The base of every store scenario suite (the Quartz/Hangfire way): a suite is written once, against the store
/// interfaces, and runs once per backend through one small derived class per backend, named
/// <c>&lt;Suite&gt;_Sqlite</c> / <c>&lt;Suite&gt;_Postgres</c> so that a failure names the backend it failed on.
/// </summary>
public abstract class StoreScenarios
{
    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A fresh, migrated database of this suite's backend, with its stores.</summary>
    protected abstract Task<StoreBackend> NewBackendAsync();
}
