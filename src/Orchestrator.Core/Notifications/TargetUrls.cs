namespace Orchestrator.Core.Notifications;

/// <summary>The addresses the server calls out to (webhooks, window hooks): absolute http:// or https:// only.</summary>
public static class TargetUrls
{
    public const int MaxLength = 2_000;

    /// <summary>Adds an error naming <paramref name="field"/> when <paramref name="url"/> is not an address the server may call.</summary>
    public static void Validate(string? url, string field, List<FieldError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (string.IsNullOrWhiteSpace(url))
        {
            errors.Add(new(field, "required; an absolute http:// or https:// address such as https://hooks.example.com/orchestrator"));
            return;
        }

        if (url.Length > MaxLength)
        {
            errors.Add(new(field, $"at most {MaxLength} characters"));
            return;
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || uri.Host.Length == 0)
        {
            errors.Add(new(field, $"'{url}' is not accepted; an absolute http:// or https:// address such as https://hooks.example.com/orchestrator"));
            return;
        }

        if (uri.UserInfo.Length > 0)
        {
            // A password in the URL would be shown by every list and log line; secrets go in the secret field.
            errors.Add(new(field, "must not carry user info (user:password@); use the webhook secret"));
        }
    }
}
