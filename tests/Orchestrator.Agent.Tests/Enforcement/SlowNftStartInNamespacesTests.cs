using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.Agent.Enforcement;
using Orchestrator.Agent.Identity;
using Orchestrator.Protocol;
using Orchestrator.Testing.Lab;

namespace Orchestrator.Agent.Tests.Enforcement;

/// <summary>
/// Real nft in a real namespace, started slowly on purpose: on a loaded endpoint starting <c>nft</c> can take seconds,
/// and the kernel's expiry must still not come later than the server said (the batch is written once nft runs).
/// </summary>
[Collection(LabSerial.Name)]
public sealed class SlowNftStartInNamespacesTests : IAsyncLifetime
{
    private static readonly TimeSpan StartDelay = TimeSpan.FromSeconds(2.5);
    private NetworkLab lab = null!;

    public async ValueTask InitializeAsync()
    {
        LabPrerequisites.Require();
        lab = await NetworkLab.CreateAsync(2);
    }

    public async ValueTask DisposeAsync()
    {
        if (lab is not null)
        {
            await lab.DisposeAsync();
        }
    }

    [Fact]
    public async Task An_opening_applied_through_a_slow_nft_start_expires_no_later_than_the_state_said()
    {
        var runner = new SlowStartRunner(NamespaceEnforcers.Runner(lab, "h1"), StartDelay);
        using var enforcer = new NftablesEnforcer(runner, [7680], new LocalAddresses([lab["h1"].Address.ToString()]), TimeProvider.System, NullLogger<NftablesEnforcer>.Instance);
        await enforcer.InstallClosedAsync(TestContext.Current.CancellationToken);
        runner.Slow = true;

        await enforcer.ApplyAsync([new OpeningV1(1, 7680, "tcp", [lab["h2"].Address.ToString()], 600)], TestContext.Current.CancellationToken);

        var listing = await lab.ExecAsync("h1", LabPrerequisites.NftPath, "-j", "list", "table", "inet", "orchestrator");
        var expires = NftTableShape.Parse(listing.EnsureSuccess("nft -j list table").StandardOutput).Allowed.Single().Value;
        TestContext.Current.TestOutputHelper?.WriteLine(string.Create(CultureInfo.InvariantCulture, $"600 s opening, nft started {StartDelay.TotalSeconds} s late: the kernel expires it in {expires} s"));
        // 600 s from when the state was taken, less the delayed start: at most 597 whole seconds are left.
        Assert.InRange(expires, 590, 600 - (long)Math.Ceiling(StartDelay.TotalSeconds));
    }

    /// <summary>The real runner, with every nft start held back by <paramref name="delay"/> once <see cref="Slow"/> is set.</summary>
    private sealed class SlowStartRunner(INftRunner inner, TimeSpan delay) : INftRunner
    {
        public bool Slow { get; set; }

        public async Task<NftResult> RunAsync(IReadOnlyList<string> arguments, string? standardInput, CancellationToken cancellationToken)
        {
            await StartAsync(cancellationToken);
            return await inner.RunAsync(arguments, standardInput, cancellationToken);
        }

        public async Task<NftResult> RunWithLateInputAsync(IReadOnlyList<string> arguments, Func<string> standardInput, CancellationToken cancellationToken)
        {
            await StartAsync(cancellationToken);
            return await inner.RunWithLateInputAsync(arguments, standardInput, cancellationToken);
        }

        public IAsyncEnumerable<string> StreamAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken) =>
            inner.StreamAsync(arguments, cancellationToken);

        private Task StartAsync(CancellationToken cancellationToken) => Slow ? Task.Delay(delay, cancellationToken) : Task.CompletedTask;
    }
}
