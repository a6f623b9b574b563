namespace Orchestrator.EndToEnd.Tests;

/// <summary>Each scenario runs a server and several agents and measures timings on a small machine; one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EndToEndSerial
{
    public const string Name = "End-to-end lab";
}
