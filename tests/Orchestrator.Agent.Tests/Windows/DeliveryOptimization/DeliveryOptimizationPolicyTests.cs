using Orchestrator.Agent.Windows.DeliveryOptimization;

namespace Orchestrator.Agent.Tests.Windows.DeliveryOptimization;

/// <summary>The Delivery Optimization policy per desired state, executed against the fake registry. On Windows this is
/// verified only by these tests.</summary>
public sealed class DeliveryOptimizationPolicyTests_WindowsVerifiedOnlyByTheseTests : IDisposable
{
    private readonly WindowsBackend backend = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => backend.Dispose();

    [Theory]
    [InlineData("HttpOnly", null, new[] { "DODownloadMode=DWord:0" })]
    [InlineData("Lan", null, new[] { "DODownloadMode=DWord:1" })]
    [InlineData("Group", "6F1C2A3B-4D5E-4F60-8A9B-0C1D2E3F4A5B", new[] { "DODownloadMode=DWord:2", "DOGroupId=String:6f1c2a3b-4d5e-4f60-8a9b-0c1d2e3f4a5b" })]
    public async Task Each_mode_writes_its_download_mode_and_group_id_and_drops_a_group_id_source(string mode, string? groupId, string[] expected)
    {
        backend.Host.SetPolicy(("DOGroupIdSource", "DWord:1"), ("DOGroupId", "String:old"), ("DOMaxCacheAge", "DWord:604800"));

        await backend.Policy.ApplyAsync(new(mode, groupId), Ct);

        Assert.Equal([.. expected, "DOMaxCacheAge=DWord:604800"], backend.Host.Policy!.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Leaving_a_group_window_removes_the_group_id()
    {
        await backend.Policy.ApplyAsync(new("Group", "6f1c2a3b-4d5e-4f60-8a9b-0c1d2e3f4a5b"), Ct);

        await backend.Policy.ApplyAsync(new("HttpOnly", null), Ct);

        Assert.Equal(["DODownloadMode=DWord:0"], backend.Host.Policy);
    }

    [Theory]
    [InlineData("Group", "branch-berlin", "needs a GUID groupId")]
    [InlineData("Group", null, "needs a GUID groupId")]
    [InlineData("Internet", null, "mode 'Internet' is not supported")]
    public async Task Settings_the_agent_will_not_write_are_refused_before_anything_runs(string mode, string? groupId, string message)
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => backend.Policy.ApplyAsync(new(mode, groupId), Ct));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Empty(backend.Host.Commands);
    }

    [Fact]
    public async Task A_policy_key_that_cannot_be_written_is_an_error()
    {
        backend.Host.Override = (_, _) => Task.FromResult(new Orchestrator.Agent.Windows.Commands.CommandResult(1, "", "Requested registry access is not allowed."));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => backend.Policy.ApplyAsync(new("Lan", null), Ct));

        Assert.Contains("Requested registry access is not allowed.", error.Message, StringComparison.Ordinal);
    }
}
