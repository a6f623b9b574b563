using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Server.Tests.Infrastructure;

namespace Orchestrator.Server.Tests.Hosting;

/// <summary>Regression: in-process servers over Kestrel took the product's own port from its appsettings.json, so
/// every such test failed with "address already in use" while a user's server ran there.</summary>
public sealed class TestPortTests
{
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

        // The product's own port, read from the appsettings.json it ships with (not written here a second time).
        var contentRoot = factory.Services.GetRequiredService<IWebHostEnvironment>().ContentRootPath;
        using var settings = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(contentRoot, "appsettings.json")));
        var productPort = new Uri(settings.RootElement.GetProperty("Urls").GetString()!).Port;

        var addresses = factory.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses;
        Assert.DoesNotContain(addresses, a => new Uri(a).Port == productPort);
        Assert.NotEqual(productPort, client.BaseAddress!.Port);
        Assert.Equal("127.0.0.1", client.BaseAddress.Host);
    }
}
