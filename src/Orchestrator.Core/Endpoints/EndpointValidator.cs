using System.Net;

namespace Orchestrator.Core.Endpoints;

public static class EndpointValidator
{
    public const int MaxHostnameLength = 253;
    public const int MaxAddresses = 32;
    public const int MaxTags = 32;

    public static IReadOnlyList<FieldError> Validate(string? hostname, IReadOnlyList<string>? addresses, string? os, IReadOnlyList<string>? tags)
    {
        var errors = new List<FieldError>();
        if (FreeText.Problem(hostname) is { } hidden)
        {
            errors.Add(new("hostname", hidden));
        }
        else if (!Hostnames.IsValid(hostname))
        {
            errors.Add(new("hostname", "required; a DNS host name (letters, digits, '-', '.'; at most 253 characters)"));
        }

        if (addresses is null || addresses.Count == 0)
        {
            errors.Add(new("addresses", "at least one IPv4 or IPv6 address is required"));
        }
        else if (addresses.Count > MaxAddresses)
        {
            errors.Add(new("addresses", $"at most {MaxAddresses} addresses"));
        }
        else
        {
            for (var i = 0; i < addresses.Count; i++)
            {
                if (!PeerAddresses.TryParseUsable(addresses[i], out _, out var why))
                {
                    errors.Add(new($"addresses[{i}]", why));
                }
            }
        }

        if (os is { Length: > 64 })
        {
            errors.Add(new("os", "at most 64 characters"));
        }

        FreeText.Validate(os, "os", errors);

        Tags.Validate(tags, "tags", errors);
        return errors;
    }
}
