using System.Text.Json;
using System.Text.Json.Serialization;

namespace MedDeblur;

/// <summary>JSON settings of every file the kit writes or reads: camelCase, enums as camelCase strings, comments allowed.</summary>
public static class JsonDefaults
{
    /// <summary>Compact output.</summary>
    public static readonly JsonSerializerOptions Options = Create(indented: false);

    /// <summary>Indented output (options and environment files).</summary>
    public static readonly JsonSerializerOptions Indented = Create(indented: true);

    private static JsonSerializerOptions Create(bool indented) => new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        WriteIndented = indented,
    };
}
