using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Data.Endpoints;
using Orchestrator.Server.Endpoints;
using Orchestrator.Server.Tests.Infrastructure;

namespace Orchestrator.Server.Tests.Endpoints;

/// <summary>The endpoint list is read again in the background once a change settles, so an opening need not read it.</summary>
public sealed class EndpointDirectoryRefresherTests
{
    [Fact]
    public async Task AChangeToTheCatalogIsReadInTheBackgroundWithoutAnyoneAskingForTheList()
    {
        await using var factory = new OrchestratorFactory { Settings = { ["Orchestrator:EndpointDirectoryRefreshInterval"] = "00:00:01" } };
        var store = factory.Services.GetRequiredService<IEndpointStore>();
        var directory = factory.Services.GetRequiredService<EndpointDirectory>();
        await store.UpsertAsync(new EndpointRegistration("refresh.example", ["198.18.7.1"], "linux", []), "api", "test", DateTimeOffset.UtcNow, TestContext.Current.CancellationToken);
        var changed = await store.CatalogVersionAsync(TestContext.Current.CancellationToken);

        // Two ticks to see the version settle, then the read; generous for a loaded machine.
        var waited = Stopwatch.StartNew();
        while (directory.Version != changed && waited.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        Assert.Equal(changed, directory.Version);
    }

    [Theory]
    [InlineData(5, 5, 5, false)] // nothing changed
    [InlineData(5, 5, 6, false)] // just changed: wait for it to settle
    [InlineData(5, 6, 7, false)] // still changing (an enrollment wave)
    [InlineData(5, 7, 7, true)] // changed, then quiet for a tick: read
    [InlineData(-1, long.MinValue, 3, false)] // the first tick only looks
    public void TheListIsReadAgainOnlyOnceAChangeHasSettledForATick(long held, long seenBefore, long seenNow, bool read) =>
        Assert.Equal(read, EndpointDirectoryRefresher.Settled(held, seenBefore, seenNow));
}
