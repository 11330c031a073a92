using System.Text.Json;
using OnnxReg.Data;

namespace OnnxReg.Runtime;

/// <summary>Reads what an exported classifier's <c>metadata_props</c> say about it (class names, normalization, input
/// range, output kind), refusing values that do not parse as the exporter writes them.</summary>
internal static class ClassifierMetadata
{
    public static IReadOnlyList<string> ClassNames(string path, IReadOnlyDictionary<string, string> metadata, int classCount)
    {
        if (!metadata.TryGetValue(ModelMetadataKeys.ClassNames, out var json))
            return Enumerable.Range(0, classCount).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        string[]? names;
        try { names = JsonSerializer.Deserialize<string[]>(json); }
        catch (JsonException e) { throw Invalid(path, $"its metadata '{ModelMetadataKeys.ClassNames}' is not a JSON list of strings ({e.Message})", e); }
        if (names is null || names.Length != classCount)
            throw Invalid(path, $"its metadata lists {names?.Length ?? 0} class names but the model has {classCount} outputs");
        return names;
    }

    public static string Choice(string path, IReadOnlyDictionary<string, string> metadata, string key, params string[] allowed)
    {
        if (!metadata.TryGetValue(key, out var value))
            return allowed[0];
        return allowed.Contains(value) ? value : throw Invalid(path, $"its metadata '{key}' is '{value}'; expected {string.Join(" or ", allowed)}");
    }

    public static Data.Normalization Normalization(string path, IReadOnlyDictionary<string, string> metadata)
    {
        if (!metadata.TryGetValue(ModelMetadataKeys.Normalization, out var json))
            return Data.Normalization.None;
        try
        {
            using var document = JsonDocument.Parse(json);
            var normalization = new Data.Normalization(document.RootElement.GetProperty("mean").GetSingle(), document.RootElement.GetProperty("std").GetSingle());
            normalization.Validate();
            return normalization;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentOutOfRangeException)
        {
            throw Invalid(path, $"its metadata '{ModelMetadataKeys.Normalization}' is not {{\"mean\": number, \"std\": positive number}} ({e.Message})", e);
        }
    }

    private static InvalidDataException Invalid(string path, string problem, Exception? inner = null) =>
        new($"'{path}' is not a usable ONNX classifier: {problem}.", inner);
}
