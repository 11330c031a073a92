using System.Text.Json;
using System.Text.Json.Serialization;

namespace OnnxReg.Experiments;

/// <summary>The JSON conventions of study and tuning files and reports: camelCase, enums by name, unknown properties rejected.</summary>
public static class StudyJson
{
    /// <summary>The options every study and tuning file is read and written with.</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false) },
    };
}
