using Npgsql;
using Orchestrator.Data.Keys;

namespace Orchestrator.Data.Postgres.Keys;

/// <summary>The shared key ring in table <c>key_ring</c> (db/postgres/0002_key_ring.sql).</summary>
internal sealed class PostgresKeyRingStore(NpgsqlDataSource dataSource) : IKeyRingStore
{
    public IReadOnlyList<string> ListAll()
    {
        using var command = dataSource.CreateCommand("SELECT xml FROM key_ring ORDER BY created_at, name");
        using var reader = command.ExecuteReader();
        var all = new List<string>();
        while (reader.Read())
        {
            all.Add(reader.GetString(0));
        }

        return all;
    }

    public void Add(string name, string xml, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(xml);
        using var command = dataSource.CreateCommand("INSERT INTO key_ring (name, xml, created_at) VALUES (@name, @xml, @at) ON CONFLICT (name) DO NOTHING");
        command.Parameters.AddWithValue("name", name);
        command.Parameters.AddWithValue("xml", xml);
        command.Parameters.AddWithValue("at", now.ToUnixTimeMilliseconds());
        command.ExecuteNonQuery();
    }
}
