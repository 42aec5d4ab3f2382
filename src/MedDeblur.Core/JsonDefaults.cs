using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

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
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false) },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        WriteIndented = indented,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // keep °, ² and < readable in files meant for people
        // explicit, so the kit also works where reflection-based JSON is off by default (.NET 10 file-based apps, AOT)
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
    };
}
