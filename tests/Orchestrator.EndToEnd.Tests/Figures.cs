namespace Orchestrator.EndToEnd.Tests;

/// <summary>Measured figures (propagation, close latency, byte accuracy) go to the test output and the runner's
/// diagnostic messages, prefixed so they can be found in CI logs.</summary>
public sealed class Figures(ITestOutputHelper output)
{
    public void Print(string figure)
    {
        var line = $"[e2e figure] {TestContext.Current.Test?.TestDisplayName}: {figure}";
        output.WriteLine(line);
        TestContext.Current.SendDiagnosticMessage(line);
    }
}
