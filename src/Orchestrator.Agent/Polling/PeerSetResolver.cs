using System.Text.Json;
using Microsoft.Extensions.Logging;
using Orchestrator.Agent.Enforcement;
using Orchestrator.Agent.Enrollment;
using Orchestrator.Agent.Server;
using Orchestrator.Protocol;

namespace Orchestrator.Agent.Polling;

/// <summary>
/// Makes sure the agent holds every peer set the openings of a new state name, before the state is applied. A set is
/// fetched once, or taken from the state when it came inline (an agent that holds it fetches nothing; a change in
/// another run does not refetch it), verified
/// (<see cref="PeerSetStore.Verify"/>) and kept in memory only while an opening names it.
/// </summary>
internal sealed class PeerSetResolver(AgentServerClient server, PeerSetStore store, long maxAddresses, ILogger<PeerSetResolver> logger)
{
    public PeerSetStore Store => store;

    /// <summary>Fetches the sets named by <paramref name="openings"/> that the agent does not hold. Returns one line per set
    /// that could not be fetched (network or server error: worth asking again); a set the server answered but that
    /// failed verification is not retried, its openings are refused with the reason.</summary>
    public async Task<IReadOnlyList<string>> ResolveAsync(
        AgentCredential credential, IReadOnlyList<OpeningV1?> openings, CancellationToken cancellationToken)
    {
        var references = openings.Select(o => o?.PeerSet).OfType<PeerSetRefV1>().Where(r => r.Hash is not null).ToList();
        store.Retain(references.Select(r => r.Hash).ToHashSet(StringComparer.Ordinal));
        var unreachable = new List<string>();
        foreach (var reference in references.DistinctBy(r => r.Hash))
        {
            if (store.Holds(reference.Hash))
            {
                continue;
            }

            if (!PeerSetStore.IsHash(reference.Hash))
            {
                store.Fail(reference.Hash, "is refused: the name is not a SHA-256 hash (64 lowercase hex digits)");
                continue;
            }

            if (PeerSetStore.TooLarge(reference, maxAddresses) is { } tooLarge)
            {
                store.Fail(reference.Hash, tooLarge);
                continue;
            }

            PeerSetV1 set;
            if (reference.Ranges is { } inline)
            {
                // Sent inline (a set of a few ranges): verified exactly as a fetched one, and held the same way.
                set = new PeerSetV1(reference.Hash, inline);
            }
            else
            {
                try
                {
                    set = await server.GetPeerSetAsync(credential, reference.Hash, cancellationToken);
                }
                catch (Exception ex) when (ex is HttpRequestException or JsonException or InvalidDataException or NotSupportedException
                    or TaskCanceledException && !cancellationToken.IsCancellationRequested)
                {
                    var problem = $"could not be fetched: {ex.Message}";
                    store.Fail(reference.Hash, problem);
                    unreachable.Add($"peer set {reference.Hash} {problem}");
                    continue;
                }
            }

            var (ranges, refused) = PeerSetStore.Verify(reference, set, maxAddresses);
            if (ranges is null)
            {
                store.Fail(reference.Hash, refused!);
                logger.LogError("Peer set {Hash} {Problem}", reference.Hash, refused);
                continue;
            }

            store.Hold(reference.Hash, ranges);
            logger.LogInformation("Peer set {Hash} {How}: {Addresses} addresses in {Ranges} ranges",
                reference.Hash, reference.Ranges is null ? "fetched" : "received inline", reference.Addresses, ranges.Count);
        }

        return unreachable;
    }
}
