using System.Net;
using Microsoft.Extensions.Options;
using Orchestrator.Protocol;

namespace Orchestrator.Agent.Configuration;

/// <summary>Refuses to start with settings that would make the agent enforce something other than intended.
/// Each message names the setting, what was wrong and what would be accepted.</summary>
internal sealed class AgentOptionsValidator : IValidateOptions<AgentOptions>
{
    public ValidateOptionsResult Validate(string? name, AgentOptions options)
    {
        var errors = new List<string>();

        var servers = Server.ServerNodes.Parse(options.ServerUrl);
        var texts = (options.ServerUrl ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (servers.Count == 0)
        {
            errors.Add($"Agent:ServerUrl '{options.ServerUrl}' is not an absolute http(s) URL (e.g. https://orchestrator:8443, or several nodes separated by commas).");
        }

        for (var i = 0; i < servers.Count; i++)
        {
            if (servers[i] is null)
            {
                errors.Add(servers.Count == 1
                    ? $"Agent:ServerUrl '{texts[i]}' is not an absolute http(s) URL (e.g. https://orchestrator:8443)."
                    : $"Agent:ServerUrl entry {i + 1} '{texts[i]}' is not an absolute http(s) URL (e.g. https://orchestrator-b:8443).");
            }
        }

        if (!string.IsNullOrEmpty(options.ServerCertificateSha256))
        {
            if (ServerCertificatePin.Normalize(options.ServerCertificateSha256) is null)
            {
                errors.Add($"Agent:ServerCertificateSha256 '{options.ServerCertificateSha256}' is not a SHA-256 thumbprint; expected 64 hex characters (colons allowed).");
            }

            if (servers.OfType<Uri>().FirstOrDefault(s => s.Scheme != Uri.UriSchemeHttps) is { } plain)
            {
                errors.Add($"Agent:ServerCertificateSha256 is set but Agent:ServerUrl '{plain}' is not https; a pin needs TLS.");
            }
        }

        if (string.IsNullOrWhiteSpace(options.StateDirectory) || !Path.IsPathFullyQualified(options.StateDirectory))
        {
            errors.Add($"Agent:StateDirectory '{options.StateDirectory}' must be an absolute path.");
        }

        foreach (var port in options.EffectiveGuardedPorts.Where(p => p is < 1 or > 65535))
        {
            errors.Add($"Agent:GuardedPorts contains {port}; ports are 1..65535.");
        }

        foreach (var address in options.Addresses.Where(a => !IPAddress.TryParse(a, out _) || a.Contains('/', StringComparison.Ordinal)))
        {
            errors.Add($"Agent:Addresses contains '{address}'; only single IPv4/IPv6 addresses are accepted.");
        }

        if (options.PollWaitSeconds is < 1 or > AgentProtocolV1.MaxWaitSeconds)
        {
            errors.Add($"Agent:PollWaitSeconds is {options.PollWaitSeconds}; accepted 1..{AgentProtocolV1.MaxWaitSeconds}.");
        }

        if (options.HttpGraceSeconds is < 1 or > 300)
        {
            errors.Add($"Agent:HttpGraceSeconds is {options.HttpGraceSeconds}; accepted 1..300.");
        }

        if (options.MinBackoffSeconds <= 0 || options.MaxBackoffSeconds < options.MinBackoffSeconds)
        {
            errors.Add($"Agent:MinBackoffSeconds/MaxBackoffSeconds are {options.MinBackoffSeconds}/{options.MaxBackoffSeconds}; need 0 < min <= max.");
        }

        if (options.ReportIntervalSeconds is < 1 or > 3600)
        {
            errors.Add($"Agent:ReportIntervalSeconds is {options.ReportIntervalSeconds}; accepted 1..3600.");
        }

        if (options.ReportRetryAttempts is < 1 or > 10)
        {
            errors.Add($"Agent:ReportRetryAttempts is {options.ReportRetryAttempts}; accepted 1..10.");
        }

        if (options.ReportBreakSeconds is < 1 or > 3600)
        {
            errors.Add($"Agent:ReportBreakSeconds is {options.ReportBreakSeconds}; accepted 1..3600.");
        }

        if (options.ScanTimeout <= TimeSpan.Zero || options.ScanTimeout > TimeSpan.FromHours(24))
        {
            errors.Add($"Agent:ScanTimeout is {options.ScanTimeout}; accepted 00:00:01..1.00:00:00.");
        }

        if (string.IsNullOrWhiteSpace(options.Nft))
        {
            errors.Add("Agent:Nft is empty; give the path of the nft binary (e.g. /usr/sbin/nft).");
        }

        if (options.NftTimeout <= TimeSpan.Zero || options.NftTimeout > TimeSpan.FromMinutes(5))
        {
            errors.Add($"Agent:NftTimeout is {options.NftTimeout}; accepted 00:00:01..00:05:00.");
        }

        if (options.FirewallVerifyInterval < TimeSpan.FromMilliseconds(100) || options.FirewallVerifyInterval > TimeSpan.FromMinutes(10))
        {
            errors.Add($"Agent:FirewallVerifyInterval is {options.FirewallVerifyInterval}; accepted 00:00:00.1..00:10:00 (how long removed rules may go unnoticed when no change event arrives).");
        }

        if (options.RememberedScanIds is < 1 or > 100_000)
        {
            errors.Add($"Agent:RememberedScanIds is {options.RememberedScanIds}; accepted 1..100000.");
        }

        if (options.MaxPeerSetAddresses is < 1 or > 100_000_000)
        {
            errors.Add($"Agent:MaxPeerSetAddresses is {options.MaxPeerSetAddresses}; accepted 1..100000000.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
