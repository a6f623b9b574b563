using System.Globalization;

namespace Orchestrator.Data.Migrations;

/// <summary>
/// What may happen to a backend's migrations folder (db/sqlite/, db/postgres/) once a script has been applied somewhere: nothing. A script is never edited or renamed, and a
/// new one is numbered above every applied one. Checked against the version table before anything is applied.
/// </summary>
internal static class MigrationRules
{
    /// <summary>The scripts still to apply, in order, and the applied ones whose checksum is to be recorded (databases
    /// migrated before checksums existed). <paramref name="folder"/> (e.g. <c>db/sqlite</c>) is where messages say the
    /// scripts live. Throws <see cref="MigrationException"/> naming every script that breaks a rule.</summary>
    public static (IReadOnlyList<MigrationScript> Pending, IReadOnlyList<MigrationScript> Backfill) Check(
        IReadOnlyList<MigrationScript> scripts, IReadOnlyList<AppliedMigration> applied, string folder)
    {
        var byVersion = scripts.ToDictionary(s => s.Version, StringComparer.Ordinal);
        var appliedVersions = applied.Select(a => a.Version).ToHashSet(StringComparer.Ordinal);
        var pending = scripts.Where(s => !appliedVersions.Contains(s.Version)).OrderBy(s => s.Version, StringComparer.Ordinal).ToList();
        var problems = new List<string>();
        var backfill = new List<MigrationScript>();

        foreach (var row in applied.OrderBy(a => a.Version, StringComparer.Ordinal))
        {
            if (byVersion.TryGetValue(row.Version, out var script))
            {
                if (row.Checksum is null)
                {
                    backfill.Add(script);
                }
                else if (!string.Equals(row.Checksum, script.Checksum, StringComparison.Ordinal))
                {
                    problems.Add($"{folder}/{script.FileName} was edited after it was applied to this database (applied SHA-256 {row.Checksum}, " +
                        $"now {script.Checksum}). Restore the applied text and put the change in a new script numbered above every applied one.");
                }

                continue;
            }

            var renamed = row.Checksum is null ? null : pending.FirstOrDefault(s => string.Equals(s.Checksum, row.Checksum, StringComparison.Ordinal));
            problems.Add(renamed is not null
                ? $"{folder}/{renamed.FileName} is {folder}/{row.Version}.sql renamed: this database applied it as '{row.Version}', so it would run twice. Restore the name {row.Version}.sql."
                : $"this database records {folder}/{row.Version}.sql as applied, but there is no such script: it was renamed or deleted, or the database " +
                  "comes from a newer release of the server. Restore the script, or run the release that last migrated this database.");
        }

        var highest = applied
            .Select(a => (a.Version, Number: NumberOf(a.Version)))
            .Where(a => a.Number is not null)
            .OrderBy(a => a.Number).ThenBy(a => a.Version, StringComparer.Ordinal)
            .LastOrDefault();
        if (highest.Number is { } top)
        {
            foreach (var script in pending.Where(s => s.Number < top || (s.Number == top && !MigrationScript.SharedNumbers.Contains(s.Number))))
            {
                if (problems.Any(p => p.StartsWith($"{folder}/{script.FileName} is ", StringComparison.Ordinal)))
                {
                    continue; // already named as a renamed script
                }

                problems.Add($"{folder}/{script.FileName} is new but its number {script.Number:D4} is not above {top:D4}, the highest applied to this " +
                    $"database ({folder}/{highest.Version}.sql): scripts apply in number order, so it would run out of order. Renumber it above {top:D4}.");
            }
        }

        if (problems.Count > 0)
        {
            throw new MigrationException(string.Join(Environment.NewLine, problems));
        }

        return (pending, backfill);
    }

    private static int? NumberOf(string version) =>
        version.Length > 4 && version[4] == '_' && int.TryParse(version.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
}

/// <summary>A row of the version table; <see cref="Checksum"/> is null for scripts applied before checksums were kept.</summary>
internal sealed record AppliedMigration(string Version, string? Checksum);
