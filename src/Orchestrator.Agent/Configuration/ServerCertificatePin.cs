using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Orchestrator.Agent.Configuration;

/// <summary>
/// How the agent trusts the server's TLS certificate: the system's roots by default, or exactly one pinned
/// certificate (by SHA-256 of its DER bytes), which also lets a site use a self-signed server certificate.
/// </summary>
internal static class ServerCertificatePin
{
    public static string? Normalize(string? thumbprint)
    {
        var hex = thumbprint?.Replace(":", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
        return hex is { Length: 64 } && hex.All(Uri.IsHexDigit) ? hex : null;
    }

    public static SocketsHttpHandler CreateHandler(string? pinnedSha256)
    {
        // Peer sets are served compressed (a 10,000-address set that is not one range is mostly text).
        var handler = new SocketsHttpHandler
        {
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2),
            AutomaticDecompression = System.Net.DecompressionMethods.Brotli | System.Net.DecompressionMethods.GZip,
        };
        if (Normalize(pinnedSha256) is { } pin)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) => Matches(certificate, pin);
        }

        return handler;
    }

    /// <summary>True only for the pinned certificate; chain and name errors do not matter once it is the exact one.</summary>
    public static bool Matches(X509Certificate? certificate, string pin) =>
        certificate is not null &&
        CryptographicOperations.FixedTimeEquals(
            Convert.FromHexString(pin),
            SHA256.HashData(certificate.GetRawCertData()));
}
