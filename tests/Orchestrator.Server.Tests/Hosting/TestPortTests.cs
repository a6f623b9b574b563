using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Server.Tests.Infrastructure;

namespace Orchestrator.Server.Tests.Hosting;

/// <summary>Regression: in-process servers over Kestrel took 127.0.0.1:5080 from the product's appsettings.json, so
/// every such test failed with "address already in use" while a user's server ran there.</summary>
public sealed class TestPortTests
{
    /// <summary>The port of the product's appsettings.json. Nothing here binds it: the tests assert it is not used.</summary>
    private const int ProductPort = 5080;

    [Fact]
    public async Task AKestrelTestServerNeverListensOnTheProductsPort()
    {
        await using var root = new OrchestratorFactory();
        AssertNotOnTheProductsPort(root);
    }

    [Fact]
    public async Task ADerivedKestrelTestServerNeverListensOnTheProductsPort()
    {
        // The shape SeededServer (the bad-input table) uses.
        await using var root = new OrchestratorFactory();
        await using var derived = root.WithWebHostBuilder(b => b.UseSetting("Orchestrator:MinimumWindowDuration", "00:05:00"));
        AssertNotOnTheProductsPort(derived);
    }

    private static void AssertNotOnTheProductsPort(WebApplicationFactory<Program> factory)
    {
        factory.UseKestrel(0);
        factory.StartServer();
        using var client = factory.CreateClient();

        var addresses = factory.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses;
        Assert.DoesNotContain(addresses, a => new Uri(a).Port == ProductPort);
        Assert.NotEqual(ProductPort, client.BaseAddress!.Port);
        Assert.Equal("127.0.0.1", client.BaseAddress.Host);
    }
}
