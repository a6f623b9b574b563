using System.Globalization;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Orchestrator.Agent.Enforcement;

namespace Orchestrator.Agent.Tests.Enforcement;

/// <summary>Records every nft invocation and answers as nft would: batches succeed unless <see cref="FailBatch"/> says
/// otherwise, listings answer <see cref="Listing"/> (or "No such file or directory" when <see cref="TableGone"/>).</summary>
internal sealed class RecordingNftRunner : INftRunner
{
    private readonly Channel<string> events = Channel.CreateUnbounded<string>();

    public List<(IReadOnlyList<string> Arguments, string? Input)> Calls { get; } = [];

    /// <summary>The batches handed to <c>nft -f -</c>, in order.</summary>
    public IReadOnlyList<string> Batches => Calls.Where(c => c.Input is not null).Select(c => c.Input!).ToList();

    public Func<string, bool> FailBatch { get; set; } = _ => false;

    public bool TableGone { get; set; }

    public string Listing { get; set; } = ListingWith();

    /// <summary>A listing of the closed table (structure as nft 1.0.6 prints it, trimmed to what verification reads)
    /// with <paramref name="allowed"/> elements ("peer port expires") in allowed4.</summary>
    public static string ListingWith(params (string Peer, int Port, int Expires)[] allowed)
    {
        var elements = string.Join(",", allowed.Select(a =>
            "{\"elem\":{\"val\":{\"concat\":[\"" + a.Peer + "\"," + a.Port.ToString(CultureInfo.InvariantCulture) +
            "]},\"timeout\":600,\"expires\":" + a.Expires.ToString(CultureInfo.InvariantCulture) + "}}"));
        return """
            {"nftables":[{"metainfo":{"version":"1.0.6"}},
            {"table":{"family":"inet","name":"orchestrator","handle":7}},
            {"set":{"family":"inet","name":"guarded_ports","table":"orchestrator","type":"inet_service","handle":1,"elem":[7680]}},
            {"set":{"family":"inet","name":"allowed4","table":"orchestrator","type":["ipv4_addr","inet_service"],"handle":2,"flags":["timeout"]ELEMENTS}},
            {"chain":{"family":"inet","table":"orchestrator","name":"input","handle":3,"type":"filter","hook":"input","prio":-10,"policy":"accept"}},
            {"rule":{"family":"inet","table":"orchestrator","chain":"input","handle":4,"expr":[{"match":{"op":"==","left":{"payload":{"protocol":"tcp","field":"dport"}},"right":"@guarded_ports"}},{"drop":null}]}}
            ]}
            """.Replace("ELEMENTS", allowed.Length > 0 ? ",\"elem\":[" + elements + "]" : "", StringComparison.Ordinal);
    }

    public void Emit(string line) => events.Writer.TryWrite(line);

    public Task<NftResult> RunAsync(IReadOnlyList<string> arguments, string? standardInput, CancellationToken cancellationToken)
    {
        Calls.Add((arguments, standardInput));
        if (standardInput is not null)
        {
            if (FailBatch(standardInput))
            {
                return Task.FromResult(new NftResult(1, "", "Error: Could not process rule: No such file or directory"));
            }

            if (standardInput.Contains("table inet orchestrator {", StringComparison.Ordinal))
            {
                TableGone = false;
            }

            return Task.FromResult(new NftResult(0, "", ""));
        }

        return Task.FromResult(TableGone
            ? new NftResult(1, "", "Error: No such file or directory; did you mean table 'orchestrator' in family inet?")
            : new NftResult(0, Listing, ""));
    }

    public async IAsyncEnumerable<string> StreamAsync(IReadOnlyList<string> arguments, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var line in events.Reader.ReadAllAsync(cancellationToken))
        {
            yield return line;
        }
    }
}
