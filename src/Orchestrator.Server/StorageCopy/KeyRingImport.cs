using System.Globalization;
using System.Xml.Linq;
using Npgsql;

namespace Orchestrator.Server.StorageCopy;

/// <summary>
/// Puts the data folder's Data Protection keys (keys/*.xml: they encrypt webhook secrets and protect sign-in cookies)
/// into the shared key ring (table key_ring), which every node on PostgreSQL reads instead of a folder. Without them a
/// copied webhook's secret could not be decrypted, and the webhook could not be signed, on any node.
/// </summary>
internal static class KeyRingImport
{
    /// <returns>The names of the keys imported (a key already in the ring is left as it is).</returns>
    public static async Task<IReadOnlyList<string>> RunAsync(string keysFolder, NpgsqlDataSource target, CancellationToken ct)
    {
        if (!Directory.Exists(keysFolder))
        {
            return [];
        }

        var imported = new List<string>();
        foreach (var file in Directory.GetFiles(keysFolder, "*.xml").Order(StringComparer.Ordinal))
        {
            // The name is the file's name without .xml: what Data Protection passed as the key's friendly name, which
            // is also what the shared ring stores it under when a node creates a key.
            var name = Path.GetFileNameWithoutExtension(file);
            string xml;
            try
            {
                xml = XElement.Load(file).ToString(SaveOptions.DisableFormatting);
            }
            catch (System.Xml.XmlException e)
            {
                throw new CopyRefusedException($"the key file {file} is not readable XML ({e.Message}); restore it from a backup of the data folder.");
            }

            await using var command = target.CreateCommand(
                "INSERT INTO orchestrator.key_ring (name, xml, created_at) VALUES (@name, @xml, @at) ON CONFLICT (name) DO NOTHING");
            command.Parameters.AddWithValue("name", name);
            command.Parameters.AddWithValue("xml", xml);
            command.Parameters.AddWithValue("at", new DateTimeOffset(File.GetLastWriteTimeUtc(file), TimeSpan.Zero).ToUnixTimeMilliseconds());
            if (await command.ExecuteNonQueryAsync(ct) == 1)
            {
                imported.Add(name);
            }
        }

        return imported;
    }

    public static string Describe(IReadOnlyList<string> imported) =>
        imported.Count == 0
            ? "No Data Protection key to import (the data folder has no keys/ folder, or the ring already holds its keys)."
            : string.Create(CultureInfo.InvariantCulture,
                $"Imported {imported.Count} Data Protection key(s) from the data folder's keys/ into the shared key ring (table key_ring): webhook secrets and sign-in cookies stay valid on every node.");
}
