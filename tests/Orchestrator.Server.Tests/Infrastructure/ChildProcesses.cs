namespace Orchestrator.Server.Tests.Infrastructure;

/// <summary>
/// The test collections of test classes that run the server only as child processes (<c>ServerProcess</c>): they share
/// none of Hangfire's process-wide statics with the in-process servers, so each collection runs beside the assembly's
/// default collection (every in-process test, one at a time). Within a collection, tests run one at a time; across the
/// assembly, at most two tests run at once (AssemblyInfo.cs). Two collections, by storage, keep the long chains of
/// restarts and node kills from queueing behind each other.
/// </summary>
public static class ChildProcesses
{
    /// <summary>Servers on PostgreSQL: two-node clusters, restarts, copies to PostgreSQL.</summary>
    public const string OnPostgres = "child processes on PostgreSQL";

    /// <summary>Servers on their SQLite files: restarts, first starts, start-up failures.</summary>
    public const string OnSqlite = "child processes on SQLite";
}
