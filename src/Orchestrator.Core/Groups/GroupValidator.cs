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

    /// <summary>Most IPv4 addresses a group's CIDR rules may cover together, overlaps counted once: 2^25, two /8
    /// networks — all of RFC 1918 (17.9 million addresses) fits with room to spare, while rules that add up to
    /// "everyone" (256 × /8 passes the per-rule bound) do not.</summary>
    public const long MaxIPv4Addresses = 1L << 25;

    /// <summary>Most IPv6 addresses a group's CIDR rules may cover together, overlaps counted once: 2^97, two /32
    /// networks (a /32 is a whole provider allocation).</summary>
    public static readonly UInt128 MaxIPv6Addresses = UInt128.One << 97;

    public static IReadOnlyList<FieldError> Validate(GroupDefinition group)
    {
        ArgumentNullException.ThrowIfNull(group);
        var errors = new List<FieldError>();
        Names.Validate(group.Name, "name", errors);
        if (group.Description is { Length: > 1_000 })
        {
            errors.Add(new("description", "at most 1000 characters"));
        }

        FreeText.Validate(group.Description, "description", errors, multiLine: true);

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
            if (FreeText.Problem(members[i]) is { } hidden)
            {
                errors.Add(new($"staticMembers[{i}]", hidden));
            }
            else if (!Hostnames.IsValid(members[i]))
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

        var networks = new List<IPNetwork>(cidrs.Count);
        for (var i = 0; i < cidrs.Count; i++)
        {
            if (!TryParseCidr(cidrs[i], out var network, out var why))
            {
                errors.Add(new($"cidrs[{i}]", why));
            }
            else
            {
                networks.Add(network);
            }
        }

        var (v4, v6) = CidrSpace.Total(networks);
        if (v4 > MaxIPv4Addresses)
        {
            errors.Add(new("cidrs", string.Create(
                System.Globalization.CultureInfo.InvariantCulture,
                $"together these CIDRs cover {v4:N0} IPv4 addresses (overlaps counted once); a group may cover at most {MaxIPv4Addresses:N0} (2^25, two /8 networks), so that its rules cannot add up to everyone")));
        }

        if (v6 > MaxIPv6Addresses)
        {
            errors.Add(new("cidrs", $"together these CIDRs cover {CidrSpace.PowerOfTwo(v6)} IPv6 addresses (overlaps counted once); a group may cover at most 2^97 (two /32 networks), so that its rules cannot add up to everyone"));
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
