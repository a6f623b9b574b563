using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using System.Text;

namespace Orchestrator.Data.Migrations;

/// <summary>One numbered script of a backend's migrations folder (db/sqlite/, db/postgres/): <c>NNNN_name.sql</c>, its text and the SHA-256 of that text.</summary>
public sealed partial record MigrationScript(string Version, int Number, string Sql, string Checksum)
{
    /// <summary>Numbers that two scripts share. Both 0003 scripts shipped in the first release before the numbering
    /// rule existed; they stay (renaming one would re-run it on every existing database). No new pair may be added.</summary>
    public static readonly IReadOnlySet<int> SharedNumbers = new HashSet<int> { 3 };

    /// <summary>The scripts built into <paramref name="assembly"/> as resources named <c>*.Migrations.NNNN_name.sql</c>
    /// (a backend's db/&lt;backend&gt;/*.sql), in name order.</summary>
    public static IReadOnlyList<MigrationScript> Embedded(System.Reflection.Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        const string marker = ".Migrations.";
        var scripts = new List<MigrationScript>();
        foreach (var name in assembly.GetManifestResourceNames()
                     .Where(n => n.Contains(marker, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
                     .Order(StringComparer.Ordinal))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            scripts.Add(From(name[(name.IndexOf(marker, StringComparison.Ordinal) + marker.Length)..], reader.ReadToEnd()));
        }

        return scripts;
    }

    /// <summary>The <c>*.sql</c> files of <paramref name="directory"/>, in name order.</summary>
    public static IReadOnlyList<MigrationScript> FromDirectory(string directory) =>
        !Directory.Exists(directory)
            ? throw new MigrationException($"the migrations folder '{directory}' does not exist.")
            : Directory.GetFiles(directory, "*.sql")
            .Order(StringComparer.Ordinal)
            .Select(path => From(Path.GetFileName(path), File.ReadAllText(path)))
            .ToList();

    /// <param name="fileName">e.g. <c>0005_agent_path_indexes.sql</c>.</param>
    public static MigrationScript From(string fileName, string sql)
    {
        var match = NamePattern().Match(fileName);
        if (!match.Success)
        {
            throw new MigrationException(
                $"Migration script '{fileName}' is not named NNNN_name.sql (four digits, an underscore, lower-case letters, digits or '_').");
        }

        return new MigrationScript(
            match.Groups["version"].Value,
            int.Parse(match.Groups["number"].Value, CultureInfo.InvariantCulture),
            sql,
            ChecksumOf(sql));
    }

    /// <summary>SHA-256 of the text with line ends made LF, so that a Windows checkout (CRLF) is not an edit.</summary>
    public static string ChecksumOf(string sql) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sql.Replace("\r\n", "\n", StringComparison.Ordinal))));

    public string FileName => Version + ".sql";

    [GeneratedRegex("^(?<version>(?<number>[0-9]{4})_[a-z0-9_]+)\\.sql$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
