namespace Orchestrator.Agent.Windows.Firewall;

/// <summary>Whether an opening is in force now: the Delivery Optimization sampler samples only then.</summary>
internal interface IOpenRuns
{
    /// <summary>True while a run applied by the last successful apply still has time left.</summary>
    bool AnyRunOpen();
}
