using System.Globalization;

namespace Orchestrator.Testing.Server;

/// <summary>
/// What a server node logs just after a run's state change, as a test finds it in the node's output: with several
/// nodes on one database the API shows that a run opened or closed, only the logs say which node did it.
/// </summary>
public static class RunLogLines
{
    public static string Opened(long runId, string window) =>
        string.Create(CultureInfo.InvariantCulture, $"Run {runId} of window \"{window}\" open for");

    /// <param name="reason">The close reason as the API spells it (e.g. <c>Ended</c>).</param>
    public static string Closed(long runId, string window, string reason) =>
        string.Create(CultureInfo.InvariantCulture, $"Run {runId} of window \"{window}\" closed ({reason})");
}
