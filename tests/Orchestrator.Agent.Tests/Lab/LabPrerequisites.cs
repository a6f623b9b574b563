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
        var missing = new List<string>();
        if (!Environment.IsPrivilegedProcess)
        {
            missing.Add("not running as root (network namespaces and nftables need it)");
        }

        if (!File.Exists(NftPath))
        {
            missing.Add($"nft not found at {NftPath} (apt-get install nftables)");
        }

        if (!File.Exists("/usr/sbin/ip") && !File.Exists("/sbin/ip") && !File.Exists("/usr/bin/ip"))
        {
            missing.Add("ip (iproute2) not found");
        }

        if (missing.Count == 0)
        {
            return;
        }

        var reason = "Lab prerequisites missing: " + string.Join("; ", missing);
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail(reason + " (CI=true: this must not be skipped)");
        }

        Assert.Skip(reason);
    }
}
