using System.Text.Json;
using System.Text.Json.Serialization;

namespace Hnn.IO;

/// <summary>The JSON conventions of every file Hnn writes: snake_case names and enum values, indented.</summary>
public static class Json
{
    /// <summary>Serializer options shared by model files and results.</summary>
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false) },
    };

    /// <summary>As <see cref="Options"/> but not indented: for large arrays (curves, trajectories).</summary>
    public static readonly JsonSerializerOptions Compact = new(Options) { WriteIndented = false };
}
