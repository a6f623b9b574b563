using System.Text.Json.Serialization;
using System.Text.Json;

namespace Orchestrator.Data.Storage;

/// <summary>Lists and definitions are stored as JSON text columns.</summary>
internal static class Json
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(), new ConcurrencyLimitConverter() },
    };

    public static string Write<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T Read<T>(string json) => JsonSerializer.Deserialize<T>(json, Options)
        ?? throw new InvalidDataException($"stored JSON for {typeof(T).Name} is null");
}
