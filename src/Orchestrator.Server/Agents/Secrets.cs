using System.Security.Cryptography;
using System.Text;

namespace Orchestrator.Server.Agents;

/// <summary>
/// Enrollment tokens and agent secrets: 256 random bits, shown once, stored as SHA-256. A slow password hash
/// would add nothing against values that cannot be guessed, and would cost CPU on every agent request.
/// </summary>
internal static class Secrets
{
    public static string New(string prefix) => prefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    public static bool Matches(string secret, string hash) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(secret)), Encoding.ASCII.GetBytes(hash));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
