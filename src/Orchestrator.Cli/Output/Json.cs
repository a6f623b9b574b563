using System.Text.Json;
using System.Text.Json.Serialization;

namespace Orchestrator.Cli.Output;

/// <summary>--output json: one JSON document on standard output, camelCase like the API, nothing else on stdout.</summary>
internal static class Json
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // stdout, not HTML: keep ' and é readable
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static void Write(TextWriter writer, object value)
    {
        writer.WriteLine(JsonSerializer.Serialize(value, value.GetType(), Options));
    }
}
