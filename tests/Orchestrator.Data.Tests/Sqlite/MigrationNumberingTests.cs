using System.Text.RegularExpressions;
using Orchestrator.Data.Migrations;
using Orchestrator.Data.Sqlite;

namespace Orchestrator.Data.Tests.Sqlite;

/// <summary>Pins db/: every script is NNNN_name.sql and numbers are unique and strictly increasing (gaps allowed),
/// except the two 0003 scripts of the first release (docs/decisions.md).</summary>
public sealed class MigrationNumberingTests
{
    [Fact]
    public void ScriptNumbersInDbAreUniqueAndStrictlyIncreasing()
    {
        var files = Directory.GetFiles(DbFolder.Path).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();

        Assert.All(files, f => Assert.Matches(new Regex("^[0-9]{4}_[a-z0-9_]+\\.sql$"), f));
        var numbers = files.Select(f => int.Parse(f[..4], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        var repeated = numbers.GroupBy(n => n).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.Equal([3], repeated);
        Assert.Equal(MigrationScript.SharedNumbers.Order(), repeated);
        Assert.Equal(["0003_api_keys.sql", "0003_reports.sql"], files.Where(f => f.StartsWith("0003_", StringComparison.Ordinal)));
        Assert.Equal(numbers.Distinct().Order(), numbers.Distinct());
    }

    [Fact]
    public void TheBuiltInScriptsAreExactlyTheFilesOfDb()
    {
        Assert.Equal(
            MigrationScript.FromDirectory(DbFolder.Path).Select(s => (s.Version, s.Checksum)),
            MigrationScript.Embedded(typeof(SqliteMigrator).Assembly).Select(s => (s.Version, s.Checksum)));
    }
}
