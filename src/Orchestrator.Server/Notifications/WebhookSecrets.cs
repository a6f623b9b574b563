using Microsoft.AspNetCore.DataProtection;

namespace Orchestrator.Server.Notifications;

/// <summary>
/// Webhook secrets are needed in clear to sign, so they cannot be hashed: they are encrypted with the server's Data
/// Protection keys (the data folder's keys directory) before they reach the database, and never returned by the API.
/// </summary>
internal sealed class WebhookSecrets(IDataProtectionProvider provider)
{
    private readonly IDataProtector _protector = provider.CreateProtector("Orchestrator.Notifications.WebhookSecret.v1");

    public const int MinLength = 16;
    public const int MaxLength = 256;

    public string Protect(string secret) => _protector.Protect(secret);

    public string Unprotect(string protectedSecret) => _protector.Unprotect(protectedSecret);
}
