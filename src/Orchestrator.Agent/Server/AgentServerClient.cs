using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Orchestrator.Agent.Enrollment;
using Orchestrator.Protocol;

namespace Orchestrator.Agent.Server;

/// <summary>Protocol v1 as the agent speaks it; one method per route of <see cref="AgentProtocolV1"/>.</summary>
internal sealed class AgentServerClient(HttpClient http)
{
    public const string HttpClientName = "orchestrator-server";

    public async Task<EnrollResponseV1> EnrollAsync(EnrollRequestV1 request, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync(AgentProtocolV1.EnrollPath, request, cancellationToken);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            throw new CredentialRejectedException($"The server refused the enrollment token ({(int)response.StatusCode}).");
        }

        // 400 (outside the token's scope) and 409 (the endpoint exists and no admin marked it re-enrollable, or an
        // address is another endpoint's) say what an operator must do: keep the server's words in the log.
        if (response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Conflict)
        {
            var problem = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new HttpRequestException(
                $"The server refused the enrollment ({(int)response.StatusCode}): {(problem.Length > 2_000 ? problem[..2_000] : problem)}", null, response.StatusCode);
        }

        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<EnrollResponseV1>(cancellationToken)
            ?? throw new InvalidDataException("The server answered enrollment with an empty body.");
    }

    /// <summary>Long-poll: returns the new state, or null when the server's version still equals <paramref name="heldVersion"/>.
    /// With <paramref name="peerSets"/> the agent says it can fetch peer sets, so the server may name a run's set by hash
    /// instead of listing every peer (a server that does not know the feature ignores the query).</summary>
    /// <param name="inForce">The held version when it is in force in full with nothing to report about it: sent as
    /// <see cref="AgentProtocolV1.AppliedQuery"/>, the acknowledgement of its openings by a server that does
    /// <see cref="AgentProtocolV1.AckByPollFeature"/> (asked for together with peer sets).</param>
    public async Task<DesiredStateV1?> GetStateAsync(
        AgentCredential credential, long heldVersion, int waitSeconds, CancellationToken cancellationToken, bool peerSets = false, long? inForce = null)
    {
        var uri = string.Create(CultureInfo.InvariantCulture, $"{AgentProtocolV1.StatePath}?{AgentProtocolV1.VersionQuery}={heldVersion}&{AgentProtocolV1.WaitQuery}={waitSeconds}");
        if (peerSets)
        {
            uri += $"&{AgentProtocolV1.FeaturesQuery}={AgentProtocolV1.PeerSetsFeature},{AgentProtocolV1.AckByPollFeature}";
            if (inForce is { } applied)
            {
                uri += string.Create(CultureInfo.InvariantCulture, $"&{AgentProtocolV1.AppliedQuery}={applied}");
            }
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        Authorize(request, credential);
        using var response = await http.SendAsync(request, cancellationToken);
        ThrowIfCredentialRejected(response);
        if (response.StatusCode == HttpStatusCode.NotModified)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<DesiredStateV1>(cancellationToken)
            ?? throw new InvalidDataException("The server answered the state poll with an empty body.");
    }

    /// <summary>The peer set named <paramref name="hash"/> (already checked to be 64 lowercase hex digits), as the server
    /// sent it; the caller verifies it. An agent asks only for a set it does not hold, so no conditional request is needed.</summary>
    public async Task<PeerSetV1> GetPeerSetAsync(AgentCredential credential, string hash, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{AgentProtocolV1.PeerSetsPath}/{hash}");
        Authorize(request, credential);
        using var response = await http.SendAsync(request, cancellationToken);
        ThrowIfCredentialRejected(response);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<PeerSetV1>(cancellationToken)
            ?? throw new InvalidDataException($"The server answered peer set {hash} with an empty body.");
    }

    public async Task PostReportAsync(AgentCredential credential, AgentReportV1 report, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, AgentProtocolV1.ReportPath)
        {
            Content = JsonContent.Create(report),
        };
        Authorize(request, credential);
        using var response = await http.SendAsync(request, cancellationToken);
        ThrowIfCredentialRejected(response);
        response.EnsureSuccessStatusCode();
    }

    private static void Authorize(HttpRequestMessage request, AgentCredential credential) =>
        request.Headers.Authorization = new AuthenticationHeaderValue(
            AgentProtocolV1.AuthScheme, $"{credential.AgentId}:{credential.Secret}");

    private static void ThrowIfCredentialRejected(HttpResponseMessage response)
    {
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            throw new CredentialRejectedException(
                $"The server rejected this agent's credential ({(int)response.StatusCode}); it was revoked or the endpoint was removed.");
        }
    }
}
