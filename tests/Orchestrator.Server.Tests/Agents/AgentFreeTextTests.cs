using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Orchestrator.Protocol;
using Orchestrator.Server.Tests.Api;
using Orchestrator.Server.Tests.Infrastructure;
using Orchestrator.Server.Tests.Reports;

namespace Orchestrator.Server.Tests.Agents;

/// <summary>
/// Regression: text an agent sends ends up in run reports, CSV files and the dashboard. What an
/// installer types at enrollment (OS, agent version) is refused when it holds invisible or control characters; what the
/// agent reports while it runs (its apply error, from a firewall tool's output) is kept, with those characters replaced
/// by U+FFFD, so that one odd byte in a tool's message does not cost the report's counters and acknowledgements.
/// </summary>
public sealed class AgentFreeTextTests
{
    [Theory]
    [InlineData("os", "linux\u202Egnp.exe")]
    [InlineData("os", "linux\u0000")]
    [InlineData("agentVersion", "1.0\u200B")]
    [InlineData("agentVersion", "\uFEFF1.0")]
    public async Task EnrollmentWithInvisibleCharactersIsRefusedNamingTheField(string field, string value)
    {
        await using var site = await AgentSite.StartAsync(0);
        var tables = new ProductTables(site.Factory.DataDirectory);
        var before = await tables.SnapshotAsync();
        var request = new EnrollRequestV1(site.Token, "pc-9", ["198.18.0.90"], field == "os" ? value : "linux", [], field == "agentVersion" ? value : "1.0");

        using var response = await site.Client.PostAsJsonAsync(AgentProtocolV1.EnrollPath, request, JsonSerializerOptions.Web, TestContext.Current.CancellationToken);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(problem["errors"]?.AsObject().ContainsKey(field) == true, $"errors should name {field}: {problem}");
        Assert.Contains("U+", (string?)problem["errors"]![field]![0], StringComparison.Ordinal);
        Assert.Equal(before, await tables.SnapshotAsync());
    }

    [Fact]
    public async Task AnApplyErrorWithBidiAndControlCharactersIsStoredWithThemReplacedAndReportsShowNoneOfThem()
    {
        await using var site = await AgentSite.StartAsync(2);
        var windowId = await site.WindowAsync();
        var runId = await site.StartRunAsync(windowId, "PT10M");
        await site.WaitRunStateAsync(runId, "Open");
        var agent = site.Agents[0];
        const string Raw = "nft: table\u202E\u2066 busy\u200B\u0000\u001B[2J\uFEFF";

        var (status, body) = await agent.ReportAsync(new("with-error", null, Raw, [], [new(site.Agents[1].Address, 5, 0)], []));

        Assert.True(status == HttpStatusCode.OK, body);
        var tables = new ProductTables(site.Factory.DataDirectory);
        Assert.Equal(1, await tables.CountAsync("peer_traffic", "run_id IS NOT NULL"));
        Assert.Equal(1, await tables.CountAsync("agents", "apply_error = 'nft: table\uFFFD\uFFFD busy\uFFFD\uFFFD\uFFFD[2J\uFFFD'"));
        foreach (var route in ReportRoutes.Of(runId, windowId))
        {
            var text = await site.Client.GetStringAsync(route, TestContext.Current.CancellationToken);
            Assert.DoesNotContain('\u202E', text);
            Assert.DoesNotContain('\u001B', text);
            Assert.DoesNotContain('\u200B', text);
            Assert.DoesNotContain("\\u202E", text, StringComparison.OrdinalIgnoreCase); // nor escaped, in JSON
            Assert.DoesNotContain("\\u001B", text, StringComparison.OrdinalIgnoreCase);
        }
    }
}
