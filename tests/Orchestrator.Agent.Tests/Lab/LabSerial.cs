namespace Orchestrator.Testing.Lab;

/// <summary>Lab tests measure timing on a small machine; running them one at a time keeps the numbers honest.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LabSerial
{
    public const string Name = "Network lab";
}
