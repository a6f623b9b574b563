using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Protocol;
using Orchestrator.Server.Tests.Infrastructure;

namespace Orchestrator.Server.Tests.Agents;

/// <summary>
/// A state long-poll makes no DI scope and no items dictionary, whether it is answered at once or parked until its
/// wait ends: 10,000 parked polls would keep 10,000 of each. The probe wraps the two request features that make them;
/// a report (whose handler takes services) shows that it counts.
/// </summary>
public sealed class StatePollFootprintTests
{
    [Fact]
    public async Task AStatePollAnsweredOrParkedMakesNoServiceScopeAndNoItems()
    {
        var touched = new ConcurrentDictionary<string, int>();
        await using var root = new OrchestratorFactory();
        await using var factory = root.WithWebHostBuilder(b => b.ConfigureTestServices(services =>
            services.AddSingleton<IStartupFilter>(new CountingFeatures(touched))));
        using var client = factory.CreateClient();
        var token = (string)(await client.CreateAsync("/api/v1/enrollment-tokens", new { name = "t" }))["token"]!;
        var agent = await TestAgent.EnrollAsync(client, token, "pc-1", "198.18.0.11");
        touched.Clear();

        var (answered, state) = await agent.PollAsync(0, 0, features: AgentProtocolV1.PeerSetsFeature);
        var (parked, _) = await agent.PollAsync(state!.Version, 1, features: AgentProtocolV1.PeerSetsFeature);
        var polls = touched.ToDictionary();
        var (reported, body) = await agent.ReportAsync(new AgentReportV1("r-1", state.Version, null, [], [], []));

        Assert.Equal(HttpStatusCode.OK, answered);
        Assert.Equal(HttpStatusCode.NotModified, parked);
        Assert.True(reported == HttpStatusCode.OK, body);
        Assert.Empty(polls);
        Assert.True(touched.GetValueOrDefault($"{AgentProtocolV1.ReportPath} services") > 0, "the probe sees a handler that takes services");
    }

    /// <summary>Counts, by request path, the requests that asked for their service scope or their items.</summary>
    private sealed class CountingFeatures(ConcurrentDictionary<string, int> touched) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            var scopes = app.ApplicationServices.GetRequiredService<IServiceScopeFactory>();
            app.Use((http, nextMiddleware) =>
            {
                var path = http.Request.Path.Value;
                http.Features.Set<IServiceProvidersFeature>(new CountingServices(new RequestServicesFeature(http, scopes), () => Count(path, "services")));
                http.Features.Set<IItemsFeature>(new CountingItems(() => Count(path, "items")));
                return nextMiddleware(http);
            });
            next(app);
        };

        private void Count(string? path, string what) => touched.AddOrUpdate($"{path} {what}", 1, (_, n) => n + 1);
    }

    private sealed class CountingServices(RequestServicesFeature inner, Action touched) : IServiceProvidersFeature, IAsyncDisposable
    {
        public IServiceProvider RequestServices
        {
            get
            {
                touched();
                return inner.RequestServices;
            }

            set => inner.RequestServices = value;
        }

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }

    private sealed class CountingItems(Action touched) : IItemsFeature
    {
        private IDictionary<object, object?>? _items;

        public IDictionary<object, object?> Items
        {
            get
            {
                touched();
                return _items ??= new Dictionary<object, object?>();
            }

            set => _items = value;
        }
    }
}
