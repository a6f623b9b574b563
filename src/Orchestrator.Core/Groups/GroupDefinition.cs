namespace Orchestrator.Core.Groups;

/// <summary>
/// Who is in a group: an endpoint is a member when any rule matches it — its hostname is listed, one of
/// its addresses lies in one of the CIDRs, or it carries one of the tags.
/// </summary>
public sealed record GroupDefinition(
    string Name,
    string? Description,
    IReadOnlyList<string> StaticMembers,
    IReadOnlyList<string> Cidrs,
    IReadOnlyList<string> Tags);
