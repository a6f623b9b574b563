namespace Orchestrator.Agent.Enforcement;

/// <summary>A desired state contained an opening the agent will not enforce; nothing was applied.</summary>
internal sealed class OpeningRefusedException : Exception
{
    public OpeningRefusedException(IReadOnlyList<string> reasons)
        : base("Desired state refused, nothing applied: " + string.Join("; ", reasons)) => Reasons = reasons;

    public IReadOnlyList<string> Reasons { get; }
}
