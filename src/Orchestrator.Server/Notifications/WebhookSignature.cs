using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Orchestrator.Server.Notifications;

/// <summary>
/// How a receiver knows a body came from this server and is fresh: HMAC-SHA256 with the webhook's secret over
/// <c>timestamp + "." + body</c>, hex, in <see cref="SignatureHeader"/> as <c>sha256=&lt;hex&gt;</c>; the timestamp (Unix
/// seconds) in <see cref="TimestampHeader"/>. Receivers refuse old timestamps to stop replays (docs/notifications.md).
/// </summary>
internal static class WebhookSignature
{
    public const string TimestampHeader = "X-Orchestrator-Timestamp";
    public const string SignatureHeader = "X-Orchestrator-Signature";
    public const string EventHeader = "X-Orchestrator-Event";
    public const string DeliveryHeader = "X-Orchestrator-Delivery";

    public static string Timestamp(DateTimeOffset at) => at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    public static string Sign(string secret, string timestamp, string body)
    {
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(timestamp + "." + body));
        return "sha256=" + Convert.ToHexStringLower(mac);
    }
}
