using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Orchestrator.Protocol;

namespace Orchestrator.Server.Tests.Agents;

/// <summary>Speaks agent protocol v1 over real HTTP, the way the agent does, so tests can play many endpoints.</summary>
public sealed class TestAgent(HttpClient http, EnrollResponseV1 credential, string address)
{
    public string Address { get; } = address;

    public EnrollResponseV1 Credential { get; private set; } = credential;

    public static Task<TestAgent> EnrollAsync(HttpClient http, string token, string hostname, string address, params string[] tags) =>
        EnrollAsOsAsync(http, token, hostname, address, "linux", tags);

    /// <summary>Enrolls as <paramref name="os"/> ("windows" plays a Windows endpoint; the protocol is the same).</summary>
    public static async Task<TestAgent> EnrollAsOsAsync(HttpClient http, string token, string hostname, string address, string os, params string[] tags)
    {
        using var response = await http.PostAsJsonAsync(
            AgentProtocolV1.EnrollPath,
            new EnrollRequestV1(token, hostname, [address], os, tags, "test"),
            TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"enroll {hostname}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)}");
        return new TestAgent(http, (await response.Content.ReadFromJsonAsync<EnrollResponseV1>(JsonSerializerOptions.Web, TestContext.Current.CancellationToken))!, address);
    }

    public string Authorization => $"{AgentProtocolV1.AuthScheme} {Credential.AgentId}:{Credential.Secret}";

    /// <param name="applied">Sent as <see cref="AgentProtocolV1.AppliedQuery"/>: the version in force (ack-by-poll).</param>
    public async Task<(HttpStatusCode Status, DesiredStateV1? State)> PollAsync(
        long version, int wait, string? authorization = null, string? features = null, long? applied = null)
    {
        var query = features is null ? "" : $"&{AgentProtocolV1.FeaturesQuery}={Uri.EscapeDataString(features)}";
        query += applied is null ? "" : $"&{AgentProtocolV1.AppliedQuery}={applied}";
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{AgentProtocolV1.StatePath}?version={version}&wait={wait}{query}");
        request.Headers.TryAddWithoutValidation("Authorization", authorization ?? Authorization);
        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
        return response.StatusCode == HttpStatusCode.OK
            ? (response.StatusCode, await response.Content.ReadFromJsonAsync<DesiredStateV1>(JsonSerializerOptions.Web, TestContext.Current.CancellationToken))
            : (response.StatusCode, null);
    }

    public async Task<DesiredStateV1> StateAsync() => (await PollAsync(0, 0)).State ?? throw new InvalidOperationException("no state");

    /// <summary>The state as an agent that names <paramref name="features"/> (<see cref="AgentProtocolV1.FeaturesQuery"/>) sees it.</summary>
    public async Task<DesiredStateV1> StateAsync(string features) =>
        (await PollAsync(0, 0, features: features)).State ?? throw new InvalidOperationException("no state");

    /// <summary>
    /// One state read in both forms: as an agent that names no features, then as one that names
    /// <paramref name="features"/>. The state may change between the two reads (a scan handed out by the run's dispatch
    /// job, a run opened or closed by its job), so a pair of two versions is read again until both reads are of one
    /// version. Null when the agent is not answered 200 (a revoked or replaced credential).
    /// </summary>
    public async Task<(DesiredStateV1 Plain, DesiredStateV1 WithFeatures)?> OneStateInBothFormsAsync(string features)
    {
        var versions = new List<string>();
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var (plainStatus, plain) = await PollAsync(0, 0);
            var (featuresStatus, withFeatures) = await PollAsync(0, 0, features: features);
            if (plainStatus != HttpStatusCode.OK || featuresStatus != HttpStatusCode.OK)
            {
                return null;
            }

            if (plain!.Version == withFeatures!.Version)
            {
                return (plain, withFeatures);
            }

            versions.Add($"{plain.Version}/{withFeatures.Version}");
            await Task.Delay(TimeSpan.FromMilliseconds(50), TestContext.Current.CancellationToken);
        }

        // The version must not depend on the form: 20 pairs of two versions is that assertion failing, not a race.
        Assert.Fail($"the two forms never showed one version: {string.Join(", ", versions)}");
        return null;
    }

    /// <summary>GET the peer set <paramref name="hash"/> as this agent; the caller reads and disposes the raw response.</summary>
    public async Task<HttpResponseMessage> PeerSetAsync(string hash, string? ifNoneMatch = null, string? acceptEncoding = null, string? authorization = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{AgentProtocolV1.PeerSetsPath}/{hash}");
        request.Headers.TryAddWithoutValidation("Authorization", authorization ?? Authorization);
        if (ifNoneMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        }

        if (acceptEncoding is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept-Encoding", acceptEncoding);
        }

        return await http.SendAsync(request, TestContext.Current.CancellationToken);
    }

    public async Task<(HttpStatusCode Status, string Body)> ReportAsync(AgentReportV1 report, string? authorization = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, AgentProtocolV1.ReportPath) { Content = JsonContent.Create(report, options: JsonSerializerOptions.Web) };
        request.Headers.TryAddWithoutValidation("Authorization", authorization ?? Authorization);
        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    public Task<(HttpStatusCode Status, string Body)> AcknowledgeAsync(long version) =>
        ReportAsync(new AgentReportV1(Guid.NewGuid().ToString("N"), version, null, [], [], []));

    public async Task<EnrollResponseV1> RotateAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, AgentProtocolV1.RotatePath);
        request.Headers.TryAddWithoutValidation("Authorization", Authorization);
        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        Credential = (await response.Content.ReadFromJsonAsync<EnrollResponseV1>(JsonSerializerOptions.Web, TestContext.Current.CancellationToken))!;
        return Credential;
    }
}
