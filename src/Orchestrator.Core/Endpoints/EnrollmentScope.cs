using System.Net;
using Orchestrator.Core.Groups;

namespace Orchestrator.Core.Endpoints;

/// <summary>
/// What an enrollment token lets an agent claim: hostnames matching <see cref="HostnamePattern"/> (null: any), addresses
/// inside <see cref="AddressCidrs"/> (null: any) and only the <see cref="Tags"/> listed (none when empty). Tags select
/// group members, so a token grants none unless an administrator lists them: an agent cannot tag itself into a group.
/// </summary>
public sealed record EnrollmentScope(string? HostnamePattern, IReadOnlyList<string>? AddressCidrs, IReadOnlyList<string> Tags)
{
    public const int MaxCidrs = 32;

    /// <summary>Checks a scope an administrator asks for; fields are named as in the token request.</summary>
    public static IReadOnlyList<FieldError> Validate(string? hostnamePattern, IReadOnlyList<string>? addressCidrs, IReadOnlyList<string>? tags)
    {
        var errors = new List<FieldError>();
        if (hostnamePattern is not null && !HostnamePatterns.IsValid(hostnamePattern))
        {
            errors.Add(new("hostnamePattern", $"'{hostnamePattern}' is not accepted; a host name in which '*' stands for any run of letters, digits, '-' or '.' (e.g. pc-*.berlin.example), at most 253 characters"));
        }

        if (addressCidrs is not null)
        {
            if (addressCidrs.Count is 0 or > MaxCidrs)
            {
                errors.Add(new("addressCidrs", $"1 to {MaxCidrs} CIDRs, or leave it out for any address"));
            }
            else
            {
                for (var i = 0; i < addressCidrs.Count; i++)
                {
                    if (!GroupValidator.TryParseCidr(addressCidrs[i], out _, out var why))
                    {
                        errors.Add(new($"addressCidrs[{i}]", why));
                    }
                }
            }
        }

        Endpoints.Tags.Validate(tags, "tags", errors);
        return errors;
    }

    /// <summary>What an enrolling agent asks for that this scope does not grant; fields as in the enroll request.</summary>
    public IReadOnlyList<FieldError> Check(string hostname, IReadOnlyList<IPAddress> addresses, IReadOnlyList<string> tags)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        ArgumentNullException.ThrowIfNull(tags);
        var errors = new List<FieldError>();
        if (HostnamePattern is not null && !HostnamePatterns.Matches(HostnamePattern, hostname))
        {
            errors.Add(new("hostname", $"'{hostname}' is outside this enrollment token's scope; it enrolls host names matching '{HostnamePattern}'"));
        }

        if (AddressCidrs is not null)
        {
            var networks = AddressCidrs.Select(c => GroupValidator.TryParseCidr(c, out var n, out _) ? n : (IPNetwork?)null).OfType<IPNetwork>().ToList();
            for (var i = 0; i < addresses.Count; i++)
            {
                if (!networks.Any(n => n.Contains(addresses[i])))
                {
                    errors.Add(new($"addresses[{i}]", $"{addresses[i]} is outside this enrollment token's scope; it enrolls addresses in {string.Join(", ", AddressCidrs)}"));
                }
            }
        }

        var granted = new HashSet<string>(Tags, StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < tags.Count; i++)
        {
            if (!granted.Contains(tags[i]))
            {
                var grants = Tags.Count == 0 ? "it grants no tags" : $"it grants {string.Join(", ", Tags)}";
                errors.Add(new($"tags[{i}]", $"'{tags[i]}' is not granted by this enrollment token ({grants}); tags select group members, so an administrator grants them on the token"));
            }
        }

        return errors;
    }
}
