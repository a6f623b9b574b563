using System.Net;
using Orchestrator.Core.Endpoints;

namespace Orchestrator.Core.Groups;

public static class GroupValidator
{
    public const int MaxRules = 1_000;

    /// <summary>Shortest prefix a CIDR rule may have: a rule matches endpoints, it does not open anything,
    /// but /0 would make "the group" mean "everyone" and is refused as a mistake.</summary>
    public const int MinIPv4Prefix = 8;
    public const int MinIPv6Prefix = 32;

    public static IReadOnlyList<FieldError> Validate(GroupDefinition group)
    {
        ArgumentNullException.ThrowIfNull(group);
        var errors = new List<FieldError>();
        Names.Validate(group.Name, "name", errors);
        if (group.Description is { Length: > 1_000 })
        {
            errors.Add(new("description", "at most 1000 characters"));
        }

        ValidateStaticMembers(group.StaticMembers, errors);
        ValidateCidrs(group.Cidrs, errors);
        Endpoints.Tags.Validate(group.Tags, "tags", errors);
        if (group.StaticMembers.Count + group.Cidrs.Count + group.Tags.Count == 0)
        {
            errors.Add(new("staticMembers", "a group needs at least one rule: staticMembers, cidrs or tags"));
        }

        return errors;
    }

    private static void ValidateStaticMembers(IReadOnlyList<string> members, List<FieldError> errors)
    {
        if (members.Count > MaxRules)
        {
            errors.Add(new("staticMembers", $"at most {MaxRules} hostnames"));
            return;
        }

        for (var i = 0; i < members.Count; i++)
        {
            if (!Hostnames.IsValid(members[i]))
            {
                errors.Add(new($"staticMembers[{i}]", $"'{members[i]}' is not a host name"));
            }
        }
    }

    private static void ValidateCidrs(IReadOnlyList<string> cidrs, List<FieldError> errors)
    {
        if (cidrs.Count > MaxRules)
        {
            errors.Add(new("cidrs", $"at most {MaxRules} CIDRs"));
            return;
        }

        for (var i = 0; i < cidrs.Count; i++)
        {
            if (!TryParseCidr(cidrs[i], out _, out var why))
            {
                errors.Add(new($"cidrs[{i}]", why));
            }
        }
    }

    public static bool TryParseCidr(string? text, out IPNetwork network, out string error)
    {
        network = default;
        error = "";
        // IPNetwork.TryParse masks host bits away ("10.1.2.3/8" parses as 10.0.0.0/8); a rule that says one host but
        // matches a whole network is refused instead.
        if (text is null || !text.Contains('/', StringComparison.Ordinal) || !IPNetwork.TryParse(text, out network)
            || !IPAddress.TryParse(text.AsSpan(0, text.IndexOf('/', StringComparison.Ordinal)), out var written) || !written.Equals(network.BaseAddress))
        {
            error = $"'{text}' is not a CIDR such as 198.18.0.0/24 or 2001:db8::/64 (host bits must be zero)";
            return false;
        }

        var min = network.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? MinIPv4Prefix : MinIPv6Prefix;
        if (network.PrefixLength < min)
        {
            error = $"'{text}' is wider than /{min}; a group rule must name a site's networks, not everything";
            return false;
        }

        return true;
    }
}
