using System.Collections;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace OnnxReg.Data;

/// <summary>
/// Turns System.Text.Json's errors about a file a person wrote (a configuration, study, tuning or baseline file)
/// into words about that file: where (the JSON path), what is wrong, and what would be right — the nearest known
/// property name, or the kind of value expected — instead of .NET type and member names the user never wrote.
/// </summary>
public static partial class JsonErrors
{
    /// <summary>One line describing <paramref name="error"/>, raised while reading a <paramref name="root"/> with <paramref name="options"/>.</summary>
    public static string Describe(JsonException error, Type root, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(error);
        var path = error.Path is { Length: > 1 } p && p.StartsWith("$.", StringComparison.Ordinal) ? p[2..] : null;
        var segments = path is null ? [] : Segments().Matches(path).Select(m => m.Value).ToList();
        var where = LineAndColumn(error);
        if (UnknownProperty().Match(error.Message) is { Success: true } unknown)
        {
            var name = unknown.Groups[1].Value;
            var container = Walk(root, segments.Count > 0 ? segments[..^1] : [], options);
            var known = container is null ? [] : JsonNames(container, options).ToList();
            var inside = segments.Count > 1 ? $" in '{string.Join('.', segments[..^1]).Replace(".[", "[")}'" : "";
            return $"unknown property '{PrintableText.Escape(name, 100)}'{inside}{where}{DidYouMean.Hint(name, known)}"
                   + (known.Count > 0 ? $"; known properties there: {string.Join(", ", known)}" : "");
        }
        if (error.Message.StartsWith("The JSON value could not be converted", StringComparison.Ordinal) && path is not null)
        {
            var expected = Walk(root, segments, options) is { } type ? Expect(type, options) : "a value of another kind";
            return $"the value of '{path}'{where} must be {expected}";
        }
        // Malformed JSON: the reader's message names no .NET type; only its location suffix is reworded.
        var message = LocationSuffix().Replace(ErrorMessages.OneLine(error.Message), "").TrimEnd('.', ' ');
        return $"{message}{where}";
    }

    private static string LineAndColumn(JsonException error) =>
        error.LineNumber is long line ? $" (line {line + 1}, column {(error.BytePositionInLine ?? 0) + 1})" : "";

    // The type the path leads to, or null where it cannot be followed (a dictionary key, a JsonNode).
    private static Type? Walk(Type type, IEnumerable<string> segments, JsonSerializerOptions options)
    {
        Type? current = type;
        foreach (var segment in segments)
        {
            if (current is null) return null;
            current = Nullable.GetUnderlyingType(current) ?? current;
            if (segment.StartsWith('['))
            {
                current = ElementType(current);
                continue;
            }
            var property = current.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .FirstOrDefault(p => JsonName(p, options) == segment);
            current = property?.PropertyType;
        }
        return current is null ? null : Nullable.GetUnderlyingType(current) ?? current;
    }

    private static Type? ElementType(Type type) =>
        type.IsArray ? type.GetElementType()
        : type.IsGenericType && typeof(IEnumerable).IsAssignableFrom(type) && type.GetGenericArguments().Length == 1 ? type.GetGenericArguments()[0]
        : null;

    private static string JsonName(PropertyInfo property, JsonSerializerOptions options) =>
        property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? options.PropertyNamingPolicy?.ConvertName(property.Name) ?? property.Name;

    private static IEnumerable<string> JsonNames(Type type, JsonSerializerOptions options) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetCustomAttribute<JsonIgnoreAttribute>() is null && (p.CanWrite || type.GetConstructors().Any(c => c.GetParameters().Any(a => string.Equals(a.Name, p.Name, StringComparison.OrdinalIgnoreCase)))))
            .Select(p => JsonName(p, options));

    private static string Expect(Type type, JsonSerializerOptions options)
    {
        if (type.IsEnum)
        {
            var policy = options.Converters.OfType<JsonStringEnumConverter>().Any() ? JsonNamingPolicy.CamelCase : null;
            return "one of " + string.Join(", ", Enum.GetNames(type).Select(n => $"\"{policy?.ConvertName(n) ?? n}\""));
        }
        if (type == typeof(int) || type == typeof(long)) return "a whole number";
        if (type == typeof(double) || type == typeof(float)) return "a number (e.g. 0.001 or 1e-3)";
        if (type == typeof(bool)) return "true or false";
        if (type == typeof(string)) return "a string in double quotes";
        if (type.IsArray || (type != typeof(string) && typeof(IEnumerable).IsAssignableFrom(type) && !IsDictionary(type)))
            return ElementType(type) is { } element ? $"a list [...], each {Expect(element, options)}" : "a list [...]";
        return "an object {...}";
    }

    private static bool IsDictionary(Type type) =>
        type.IsGenericType && type.GetInterfaces().Append(type).Any(i => i.IsGenericType && i.GetGenericTypeDefinition() is var d && (d == typeof(IDictionary<,>) || d == typeof(IReadOnlyDictionary<,>)));

    [GeneratedRegex("^The JSON property '(.*)' could not be mapped")]
    private static partial Regex UnknownProperty();

    [GeneratedRegex(@"[^.\[]+|\[\d+\]")]
    private static partial Regex Segments();

    [GeneratedRegex(@"\s*Path: \$.*$")]
    private static partial Regex LocationSuffix();
}
