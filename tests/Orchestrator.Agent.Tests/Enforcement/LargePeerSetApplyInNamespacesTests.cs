using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.Agent.Enforcement;
using Orchestrator.Agent.Identity;
using Orchestrator.Core.Enforcement;
using Orchestrator.Protocol;
using Orchestrator.Testing.Lab;

namespace Orchestrator.Agent.Tests.Enforcement;

/// <summary>
/// Peer sets of 100, 1,000 and 10,000 addresses installed with real nft in a lab namespace, each in one atomic batch:
/// contiguous (one range) and the worst case (every other address, so no two members are adjacent and every member is
/// its own element). Asserts what is installed and who gets in; prints the apply, verify and repair times for
/// docs/benchmarks.md ("Apply time of large peer sets") — timings are figures, never assertions.
/// </summary>
[Collection(LabSerial.Name)]
public sealed class LargePeerSetApplyInNamespacesTests(ITestOutputHelper output) : IAsyncLifetime
{
    private NetworkLab lab = null!;

    public async ValueTask InitializeAsync()
    {
        LabPrerequisites.Require();
        lab = await NetworkLab.CreateAsync(4);
    }

    public async ValueTask DisposeAsync()
    {
        if (lab is not null)
        {
            await lab.DisposeAsync();
        }
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(100, false)]
    [InlineData(1_000, false)]
    [InlineData(10_000, false)]
    [InlineData(100, true)]
    [InlineData(1_000, true)]
    [InlineData(10_000, true)]
    public async Task A_large_peer_set_is_installed_in_one_batch_exactly_and_verified_without_a_false_repair(int peers, bool contiguous)
    {
        // Members from 198.18.0.2 upwards (h2 is always one); non-contiguous = every other address, so h3 (198.18.0.3)
        // lies inside the members' span without being a member.
        var step = contiguous ? 1u : 2u;
        var members = Enumerable.Range(0, peers).Select(i => Address(0xC6120002u + ((uint)i * step))).ToList();
        var ranges = AddressRanges.Compress(members);
        var store = new PeerSetStore();
        var hash = AddressRanges.Hash(ranges);
        store.Hold(hash, ranges);
        var runner = new CountingRunner(NamespaceEnforcers.Runner(lab, "h1"));
        using var enforcer = new NftablesEnforcer(
            runner, [7680], new LocalAddresses([lab["h1"].Address.ToString()]), TimeProvider.System, NullLogger<NftablesEnforcer>.Instance, store);
        await enforcer.InstallClosedAsync(Token);
        await PeerContent.StartServerAsync(lab, "h1", 1024);
        var batchesBefore = runner.Batches;

        // The agent's own share (verification of the openings, pieces, batch text) once the code is warm.
        var own = new HashSet<IPAddress>([lab["h1"].Address]);
        var validate = Stopwatch.StartNew();
        for (var round = 0; round < 4; round++)
        {
            validate.Restart();
            _ = NftBatches.Apply(OpeningValidator.ToAllowances([new OpeningV1(1, 7680, "tcp", [], 600, new PeerSetRefV1(hash, peers, []))], [7680], own, store));
            validate.Stop();
        }

        var apply = Stopwatch.StartNew();
        var outcome = await enforcer.ApplyAsync([new OpeningV1(1, 7680, "tcp", [], 600, new PeerSetRefV1(hash, peers, []))], Token);
        apply.Stop();
        var (batchBytes, nftMs) = (runner.LastBatchBytes, runner.LastBatchMs);

        Assert.True(outcome.Complete, string.Join("; ", outcome.Refused));
        Assert.Equal(batchesBefore + 1, runner.Batches);
        var installed = await ListAsync();
        Assert.Equal(contiguous ? 1 : peers, installed.Count);
        Assert.Equal(ranges.Select(r => (r.ToString(), 7680)).Order(), installed.Order());
        Assert.Equal("completed", (await PeerFetch.RunAsync(lab, "h2", lab["h1"].Address, TimeSpan.FromMilliseconds(400), TimeSpan.FromMilliseconds(500))).Outcome);
        var third = await PeerFetch.RunAsync(lab, "h3", lab["h1"].Address, TimeSpan.FromMilliseconds(400), TimeSpan.FromMilliseconds(500));
        Assert.Equal(contiguous ? "completed" : "timeout", third.Outcome);

        var verify = Stopwatch.StartNew();
        var falseRepair = await enforcer.VerifyAsync(Token);
        verify.Stop();
        Assert.Null(falseRepair);

        await lab.ExecAsync("h1", LabPrerequisites.NftPath, "flush", "ruleset");
        var repair = Stopwatch.StartNew();
        var repaired = await enforcer.VerifyAsync(Token);
        repair.Stop();
        Assert.NotNull(repaired);
        Assert.Equal(installed.Order(), (await ListAsync()).Order());

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"FIGURE peers={peers} {(contiguous ? "contiguous" : "non-contiguous")}: elements={installed.Count}, batch={batchBytes} bytes, " +
            $"apply={apply.Elapsed.TotalMilliseconds:0} ms (of which nft -f {nftMs:0} ms; warm validation + batch text {validate.Elapsed.TotalMilliseconds:0} ms), verify={verify.Elapsed.TotalMilliseconds:0} ms, " +
            $"repair after flush ruleset={repair.Elapsed.TotalMilliseconds:0} ms"));
    }

    private async Task<List<(string Peer, int Port)>> ListAsync()
    {
        var listing = await lab.ExecAsync("h1", LabPrerequisites.NftPath, "-j", "list", "table", "inet", "orchestrator");
        Assert.Equal(0, listing.ExitCode);
        return [.. NftTableShape.Parse(listing.StandardOutput).Allowed.Keys];
    }

    private static IPAddress Address(uint value) => new([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]);

    /// <summary>The real runner, counting the batches it hands to <c>nft -f -</c> and timing the last one.</summary>
    private sealed class CountingRunner(INftRunner inner) : INftRunner
    {
        public int Batches { get; private set; }

        public int LastBatchBytes { get; private set; }

        public double LastBatchMs { get; private set; }

        public async Task<NftResult> RunAsync(IReadOnlyList<string> arguments, string? standardInput, CancellationToken cancellationToken)
        {
            if (standardInput is null)
            {
                return await inner.RunAsync(arguments, standardInput, cancellationToken);
            }

            var started = Stopwatch.StartNew();
            var result = await inner.RunAsync(arguments, standardInput, cancellationToken);
            (Batches, LastBatchBytes, LastBatchMs) = (Batches + 1, standardInput.Length, started.Elapsed.TotalMilliseconds);
            return result;
        }

        public IAsyncEnumerable<string> StreamAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken) =>
            inner.StreamAsync(arguments, cancellationToken);
    }
}
