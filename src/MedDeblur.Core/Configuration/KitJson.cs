using System.Text.Json;
using System.Text.Json.Serialization;

namespace MedDeblur.Configuration;

/// <summary>
/// JSON settings of the kit's configuration files (presets, options records): camelCase names, enums as camelCase
/// strings (<c>"minusOneToOne"</c>), comments and trailing commas allowed, indented output.
/// </summary>
public static class KitJson
{
    /// <summary>The shared serializer options.</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false) },
    };
}
