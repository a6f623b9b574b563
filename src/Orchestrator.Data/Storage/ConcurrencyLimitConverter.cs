using System.Text.Json.Serialization;
using System.Text.Json;
using Orchestrator.Core.Windows;

namespace Orchestrator.Data.Storage;

internal sealed class ConcurrencyLimitConverter : JsonConverter<ConcurrencyLimit>
{
    public override ConcurrencyLimit Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        ConcurrencyLimit.Parse(reader.TokenType == JsonTokenType.Number ? reader.GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture) : reader.GetString()!);

    public override void Write(Utf8JsonWriter writer, ConcurrencyLimit value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString());
}
