using System.Net;
using System.Text;
using Orchestrator.Protocol;
using Orchestrator.Server.Tests.Infrastructure;

namespace Orchestrator.Server.Tests.Agents;

/// <summary>
/// Regression: the server's JSON options disallow unknown members on every route, so a newer agent adding a field to
/// a v1 message got 400 and could neither enroll nor report. Agent routes now ignore unknown fields; the ops API
/// keeps refusing them (a misspelt field there is a mistake worth naming).
/// </summary>
public sealed class ForwardCompatibilityTests
{
    private const string Future = "\"addedInAFutureVersion\": {\"nested\": [1, 2, 3]}";

    [Fact]
    public async Task ANewerAgentsEnrollmentAndReportWithUnknownFieldsAreAccepted()
    {
        await using var site = await AgentSite.StartAsync(1);

        var enroll = $$"""
            {"token": "{{site.Token}}", "hostname": "pc-future", "addresses": ["198.18.0.77"], "os": "linux", "tags": ["floor-3"],
             "agentVersion": "2.0.0", {{Future}}}
            """;
        var (enrolled, enrollBody) = await SendAsync(site.Client, AgentProtocolV1.EnrollPath, enroll, null);
        Assert.True(enrolled == HttpStatusCode.OK, $"enroll answered {(int)enrolled}: {enrollBody}");

        var agent = site.Agents[0];
        var report = $$"""
            {"reportId": "future-1", "appliedVersion": null, "applyError": null, {{Future}},
             "scans": [],
             "traffic": [{"peer": "198.18.0.77", "bytesServed": 10, "bytesReceived": 0, {{Future}}}],
             "blocked": [{"source": "198.18.0.99", "port": 7680, "count": 1, {{Future}}}]}
            """;
        var (reported, reportBody) = await SendAsync(site.Client, AgentProtocolV1.ReportPath, report, agent.Authorization);
        Assert.True(reported == HttpStatusCode.OK, $"report answered {(int)reported}: {reportBody}");
    }

    [Fact]
    public async Task TheOpsApiStillRefusesAnUnknownFieldByName()
    {
        await using var factory = new OrchestratorFactory();
        using var client = factory.CreateClient();

        var (status, body) = await SendAsync(client, "/api/v1/groups", $$"""{"name": "g", "tags": ["t"], {{Future}}}""", null);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("addedInAFutureVersion", body, StringComparison.Ordinal);
    }

    private static async Task<(HttpStatusCode Status, string Body)> SendAsync(HttpClient client, string path, string json, string? authorization)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation(AgentProtocolV1.AuthorizationHeader, authorization);
        }

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }
}
