using Xunit;

namespace Orchestrator.Testing.Lab;

/// <summary>
/// Lab tests need root, iproute2 and nft. Locally a missing prerequisite skips with the reason; in CI
/// (<c>CI=true</c>) it fails, so a misconfigured runner can never turn the firewall tests into silent skips.
/// </summary>
public static class LabPrerequisites
{
    public static string NftPath => Environment.GetEnvironmentVariable("ORCHESTRATOR_TEST_NFT") is { Length: > 0 } path ? path : "/usr/sbin/nft";

    public static void Require()
    {
        var reason = MissingReason(Environment.IsPrivilegedProcess, NftPath);
        switch (Decide(reason, Environment.GetEnvironmentVariable("CI")))
        {
            case LabVerdict.Fail:
                Assert.Fail(reason + " (CI=true: this must not be skipped)");
                break;
            case LabVerdict.Skip:
                Assert.Skip(reason!);
                break;
            default:
                break;
        }
    }

    /// <summary>Why the lab cannot run here, or null when it can.</summary>
    public static string? MissingReason(bool privileged, string nftPath)
    {
        var missing = new List<string>();
        if (!privileged)
        {
            missing.Add("not running as root (network namespaces and nftables need it)");
        }

        if (!File.Exists(nftPath))
        {
            missing.Add($"nft not found at {nftPath} (apt-get install nftables)");
        }

        if (!File.Exists("/usr/sbin/ip") && !File.Exists("/sbin/ip") && !File.Exists("/usr/bin/ip"))
        {
            missing.Add("ip (iproute2) not found");
        }

        return missing.Count == 0 ? null : "Lab prerequisites missing: " + string.Join("; ", missing);
    }

    /// <summary>Run when nothing is missing; otherwise fail under CI=true, skip elsewhere.</summary>
    public static LabVerdict Decide(string? missingReason, string? ci) =>
        missingReason is null ? LabVerdict.Run
        : string.Equals(ci, "true", StringComparison.OrdinalIgnoreCase) ? LabVerdict.Fail
        : LabVerdict.Skip;
}

public enum LabVerdict
{
    Run,
    Skip,
    Fail,
}
