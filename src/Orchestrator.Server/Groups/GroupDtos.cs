using Orchestrator.Data.Groups;

namespace Orchestrator.Server.Groups;

public sealed record GroupRequest(
    string? Name, string? Description, IReadOnlyList<string>? StaticMembers, IReadOnlyList<string>? Cidrs, IReadOnlyList<string>? Tags);

public sealed record GroupResponse(
    long Id, string Name, string? Description, IReadOnlyList<string> StaticMembers, IReadOnlyList<string> Cidrs, IReadOnlyList<string> Tags,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static GroupResponse From(GroupRecord g) => new(
        g.Id, g.Definition.Name, g.Definition.Description, g.Definition.StaticMembers, g.Definition.Cidrs, g.Definition.Tags, g.CreatedAt, g.UpdatedAt);
}

public sealed record GroupMemberResponse(long Id, string Hostname, IReadOnlyList<string> Addresses, IReadOnlyList<string> Tags);
