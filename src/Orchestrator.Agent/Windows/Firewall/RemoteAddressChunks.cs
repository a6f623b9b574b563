namespace Orchestrator.Agent.Windows.Firewall;

/// <summary>
/// Splits a rule's remote-address list into rules of at most <see cref="MaxEntriesPerRule"/> entries. Microsoft
/// documents no maximum for <c>-RemoteAddress</c>, but widely used tools cap a rule at 1,000 entries (errors and slow
/// rule evaluation are reported beyond that). Several block rules together block exactly the union of their lists,
/// and several allow rules allow exactly the union of theirs, so splitting changes nothing else.
/// </summary>
internal static class RemoteAddressChunks
{
    public const int MaxEntriesPerRule = 1_000;

    /// <summary>Entries are Windows Firewall remote-address strings: a single address, an <c>a-b</c> range or a keyword
    /// such as <c>Any</c>; each counts as one entry. Order is kept; an empty list is one empty part.</summary>
    public static IReadOnlyList<IReadOnlyList<string>> Split(IEnumerable<string> entries, int maxEntriesPerRule = MaxEntriesPerRule)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEntriesPerRule, 1);
        var parts = entries.Chunk(maxEntriesPerRule).Select(c => (IReadOnlyList<string>)c).ToList();
        return parts.Count == 0 ? [[]] : parts;
    }
}
