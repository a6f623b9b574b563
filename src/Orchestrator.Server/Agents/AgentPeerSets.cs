using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Orchestrator.Protocol;
using Orchestrator.Server.Api;

namespace Orchestrator.Server.Agents;

/// <summary>
/// GET <see cref="AgentProtocolV1.PeerSetsPath"/>/{hash}: a run's peer set, for the agent of a member of an open run that
/// holds it (404 for any other). A set never changes under its hash, so it is answered with <c>ETag</c> = the hash and
/// a private immutable cache lifetime, 304 to an agent that already holds it, and compressed (br or gzip) with bytes
/// compressed once per set. A set is text that compresses well, carries no secret and echoes nothing a requester sent,
/// so compressing it over HTTPS leaks nothing (BREACH).
/// </summary>
internal static partial class AgentPeerSets
{
    /// <summary>How long an agent may keep a set without asking: a run lasts at most a day.</summary>
    public const string CacheControl = "private, max-age=86400, immutable";

    /// <summary>True when the agent's <see cref="AgentProtocolV1.FeaturesQuery"/> names <see cref="AgentProtocolV1.PeerSetsFeature"/>;
    /// features the server does not know are ignored.</summary>
    public static bool Asked(string? features) => AgentFeatures.Asked(features, AgentProtocolV1.PeerSetsFeature);

    public static async Task<Results<FileContentHttpResult, StatusCodeHttpResult, ProblemHttpResult, ValidationProblem>> GetAsync(
        string hash, HttpContext http, DesiredStates states, CancellationToken ct)
    {
        if (!HashPattern().IsMatch(hash))
        {
            return Problems.Invalid("hash", "must be 64 lowercase hexadecimal characters (the SHA-256 an opening's peerSet names)");
        }

        var me = AgentIdentity.Of(http);
        if (await states.PeerSetAsync(me.EndpointId, hash, ct) is not { } entry)
        {
            return Problems.NotFound($"Peer set {hash} of an open run of this endpoint");
        }

        var etag = $"\"{hash}\"";
        http.Response.Headers.ETag = etag;
        http.Response.Headers.CacheControl = CacheControl;
        if (http.Request.Headers.IfNoneMatch.Any(v => v is not null && (v == "*" || v.Split(',', StringSplitOptions.TrimEntries).Any(t => t == etag || t == $"W/{etag}"))))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        var encoding = Preferred(http.Request.Headers.AcceptEncoding);
        http.Response.Headers.Vary = "Accept-Encoding";
        if (encoding is not null)
        {
            http.Response.Headers.ContentEncoding = encoding;
        }

        return TypedResults.Bytes(entry.Body(encoding), "application/json");
    }

    /// <summary>br, else gzip, when the agent accepts it (a q of 0 refuses); null for the plain body.</summary>
    internal static string? Preferred(Microsoft.Extensions.Primitives.StringValues acceptEncoding)
    {
        var accepted = acceptEncoding
            .SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .Select(token => token.Split(';', StringSplitOptions.TrimEntries))
            .Where(parts => !parts.Skip(1).Any(p => p.Replace(" ", "", StringComparison.Ordinal) is "q=0" or "q=0.0" or "q=0.00" or "q=0.000"))
            .Select(parts => parts[0].ToLowerInvariant())
            .ToHashSet();
        return accepted.Contains("br") ? "br" : accepted.Contains("gzip") ? "gzip" : null;
    }

    [GeneratedRegex("^[0-9a-f]{64}$", RegexOptions.CultureInvariant)]
    private static partial Regex HashPattern();
}
