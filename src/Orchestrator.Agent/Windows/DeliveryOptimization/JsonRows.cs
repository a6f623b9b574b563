using System.Globalization;
using System.Text.Json;

namespace Orchestrator.Agent.Windows.DeliveryOptimization;

/// <summary>Reading PowerShell's ConvertTo-Json output, which varies: nothing for no rows, an object for one row
/// (without <c>-InputObject @(…)</c>), an array otherwise; numbers as numbers or strings; property names as the
/// cmdlet spells them.</summary>
internal static class JsonRows
{
    public static IEnumerable<JsonElement> Rows(JsonElement root) => root.ValueKind switch
    {
        JsonValueKind.Array => root.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.Object).ToList(),
        JsonValueKind.Object => [root],
        _ => [],
    };

    /// <summary>The first property whose name matches one of <paramref name="names"/>, ignoring case.</summary>
    public static JsonElement? Property(JsonElement row, params string[] names)
    {
        foreach (var property in row.EnumerateObject())
        {
            if (names.Any(n => string.Equals(n, property.Name, StringComparison.OrdinalIgnoreCase)) &&
                property.Value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined))
            {
                return property.Value;
            }
        }

        return null;
    }

    public static long Long(JsonElement row, params string[] names) => Property(row, names) switch
    {
        { ValueKind: JsonValueKind.Number } n => n.TryGetInt64(out var v) ? v : (long)n.GetDouble(),
        { ValueKind: JsonValueKind.String } s when long.TryParse(s.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) => v,
        _ => 0,
    };

    public static string? Text(JsonElement row, params string[] names) => Property(row, names) switch
    {
        { ValueKind: JsonValueKind.String } s => s.GetString(),
        { } other => other.GetRawText(),
        null => null,
    };
}
