using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using OnnxReg.Data;

namespace OnnxReg.Training.Models.Layers;

/// <summary>
/// Reads the layer lists of a model file, checking each property as it goes so a mistake is reported with where it
/// is (<c>layers[3].body[1]</c>), the layer's type and what to write instead — unknown types and properties get the
/// nearest known word, and Keras' names (<c>units</c>, <c>filters</c>, <c>rate</c>) get PyTorch's. Shapes are not
/// known here; <see cref="NetworkShapes"/> checks them against the data.
/// </summary>
internal sealed partial class NetworkSpecReader
{
    private const int MaxLayers = NetworkSpec.MaxLayers, MaxDepth = NetworkSpec.MaxDepth;
    private const int MaxSize = 1 << 20, MaxKernel = 1 << 12;

    private static readonly Dictionary<string, string[]> Properties = new(StringComparer.Ordinal)
    {
        ["conv2d"] = ["in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "groups", "bias"],
        ["linear"] = ["in_features", "out_features", "bias"],
        ["batchnorm"] = ["num_features", "eps", "momentum"],
        ["batchnorm1d"] = ["num_features", "eps", "momentum"],
        ["batchnorm2d"] = ["num_features", "eps", "momentum"],
        ["relu"] = [], ["tanh"] = [], ["sigmoid"] = [], ["silu"] = [],
        ["leakyrelu"] = ["negative_slope"],
        ["gelu"] = ["approximate"],
        ["softmax"] = ["dim"], ["logsoftmax"] = ["dim"],
        ["maxpool2d"] = ["kernel_size", "stride", "padding"],
        ["avgpool2d"] = ["kernel_size", "stride", "padding", "count_include_pad"],
        ["adaptiveavgpool2d"] = ["output_size"],
        ["flatten"] = [],
        ["dropout"] = ["p"], ["dropout2d"] = ["p"],
        ["residual"] = ["body", "shortcut"],
        ["sequential"] = ["layers"],
    };

    // What Keras (and some PyTorch habits) call these, for the hint in the message.
    private static readonly Dictionary<string, string> Aliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["units"] = "out_features", ["filters"] = "out_channels", ["kernel"] = "kernel_size", ["pool_size"] = "kernel_size",
        ["strides"] = "stride", ["rate"] = "p", ["use_bias"] = "bias", ["alpha"] = "negative_slope", ["axis"] = "dim",
        ["epsilon"] = "eps", ["dilation_rate"] = "dilation",
    };

    private int _count;

    /// <summary>Reads the <c>layers</c> array of a model file.</summary>
    /// <exception cref="InvalidDataException">Something is wrong (the message says where and what).</exception>
    public static IReadOnlyList<LayerSpec> Read(JsonElement layers) => new NetworkSpecReader().Sequence(layers, "layers", depth: 1);

    private List<LayerSpec> Sequence(JsonElement array, string where, int depth)
    {
        if (array.ValueKind != JsonValueKind.Array)
            throw Error(where, $"must be a list of layers ([{{\"type\": \"conv2d\", ...}}, ...]); found {Kind(array)}");
        if (depth > MaxDepth)
            throw Error(where, $"nests deeper than {MaxDepth} levels of sequences and residual blocks");
        if (array.GetArrayLength() == 0)
            throw Error(where, "is empty; a sequence needs at least one layer");
        var layers = new List<LayerSpec>();
        int index = 0;
        foreach (var element in array.EnumerateArray())
        {
            if (++_count > MaxLayers)
                throw Error(where, $"takes the model file past {MaxLayers:N0} layers, the most it may hold");
            layers.Add(Layer(element, $"{where}[{index++}]", depth));
        }
        return Named(layers, where);
    }

    private LayerSpec Layer(JsonElement element, string where, int depth)
    {
        if (element.ValueKind != JsonValueKind.Object)
            throw Error(where, $"must be an object such as {{\"type\": \"relu\"}}; found {Kind(element)}");
        if (!element.TryGetProperty("type", out var typeElement) || typeElement.ValueKind != JsonValueKind.String)
            throw Error(where, $"needs a \"type\" (one of {string.Join(", ", Properties.Keys)})");
        string type = typeElement.GetString()!;
        if (!Properties.TryGetValue(type, out var allowed))
            throw Error(where, $"has the unknown type '{PrintableText.Escape(type, 40)}'{DidYouMean.Hint(type.ToLowerInvariant(), Properties.Keys)}; known types: {string.Join(", ", Properties.Keys)}");
        string at = $"{where} ({type})";
        foreach (var property in element.EnumerateObject())
        {
            if (property.Name is "type" or "name" || allowed.Contains(property.Name)) continue;
            string hint = Aliases.TryGetValue(property.Name, out var alias) && allowed.Contains(alias) ? $" (PyTorch's name is '{alias}')"
                : property.Name == "activation" ? " (put the activation after it as a layer of its own, e.g. {\"type\": \"relu\"})"
                : DidYouMean.Hint(property.Name, allowed);
            throw Error(at, $"has the unknown property '{PrintableText.Escape(property.Name, 40)}'{hint}; {(allowed.Length == 0 ? "it takes no options" : $"it takes: {string.Join(", ", allowed)}")}");
        }
        var reader = new LayerOptions(element, at);
        LayerSpec layer = type switch
        {
            "conv2d" => Conv2d(reader),
            "linear" => new LinearSpec(reader.OptionalInt("in_features", 1, MaxSize), reader.OptionalInt("out_features", 1, MaxSize), reader.Bool("bias", true)),
            "batchnorm" or "batchnorm1d" or "batchnorm2d" => new BatchNormSpec(type == "batchnorm" ? null : type[^2] - '0',
                reader.OptionalInt("num_features", 1, MaxSize), reader.Number("eps", 1e-5, 0, 1, inclusiveMinimum: false), reader.Number("momentum", 0.1, 0, 1)),
            "leakyrelu" => new ActivationSpec(type, NegativeSlope: reader.Number("negative_slope", 0.01, -1e6, 1e6)),
            "gelu" => new ActivationSpec(type, Approximate: reader.Choice("approximate", "none", ["none", "tanh"])),
            "softmax" or "logsoftmax" => new ActivationSpec(type, Dim: reader.OptionalInt("dim", -4, 3) ?? 1),
            "relu" or "tanh" or "sigmoid" or "silu" => new ActivationSpec(type),
            "maxpool2d" or "avgpool2d" => Pool(reader, type == "avgpool2d"),
            "adaptiveavgpool2d" => new AdaptiveAvgPool2dSpec(reader.Size("output_size", null, 1, MaxSize)),
            "flatten" => new FlattenSpec(),
            "dropout" or "dropout2d" => new DropoutSpec(type == "dropout2d", reader.Number("p", 0.5, 0, 1, inclusiveMaximum: false)),
            "residual" => new ResidualSpec(Sequence(reader.Required("body"), $"{where}.body", depth + 1),
                element.TryGetProperty("shortcut", out var shortcut) && shortcut.ValueKind != JsonValueKind.Null ? Sequence(shortcut, $"{where}.shortcut", depth + 1) : null),
            "sequential" => new SequentialSpec(Sequence(reader.Required("layers"), $"{where}.layers", depth + 1)),
            _ => throw new InvalidOperationException($"Type '{type}' is listed but not read."),
        };
        if (element.TryGetProperty("name", out var name))
        {
            if (name.ValueKind != JsonValueKind.String || !NamePattern().IsMatch(name.GetString()!))
                throw Error(at, $"has the name {PrintableText.Escape(name.GetRawText(), 70)}; a name is 1 to 64 letters, digits or underscores, starting with a letter or underscore");
            layer = layer with { Name = name.GetString()! };
        }
        return layer;
    }

    private static Conv2dSpec Conv2d(LayerOptions reader)
    {
        var kernel = reader.Size("kernel_size", null, 1, MaxKernel);
        string? paddingMode = null;
        var padding = Size2.Square(0);
        if (reader.Has("padding") && reader.Element("padding").ValueKind == JsonValueKind.String)
            paddingMode = reader.Choice("padding", "valid", ["same", "valid"]);
        else
            padding = reader.Size("padding", Size2.Square(0), 0, MaxKernel);
        return new Conv2dSpec(reader.OptionalInt("in_channels", 1, MaxSize), reader.OptionalInt("out_channels", 1, MaxSize) ?? throw reader.Missing("out_channels"),
            kernel, reader.Size("stride", Size2.Square(1), 1, MaxKernel), padding, paddingMode, reader.Size("dilation", Size2.Square(1), 1, MaxKernel),
            reader.OptionalInt("groups", 1, MaxSize) ?? 1, reader.Bool("bias", true));
    }

    private static Pool2dSpec Pool(LayerOptions reader, bool average)
    {
        var kernel = reader.Size("kernel_size", null, 1, MaxKernel);
        return new Pool2dSpec(average, kernel, reader.Size("stride", kernel, 1, MaxKernel), reader.Size("padding", Size2.Square(0), 0, MaxKernel),
            average && reader.Bool("count_include_pad", true));
    }

    // Unnamed layers get their type's prefix and the first free number in their sequence; a name given twice is an error.
    private static List<LayerSpec> Named(List<LayerSpec> layers, string where)
    {
        var taken = new HashSet<string>(StringComparer.Ordinal);
        foreach (var layer in layers.Where(l => l.Name.Length > 0))
            if (!taken.Add(layer.Name))
                throw Error(where, $"names two layers '{layer.Name}'; names in one sequence must differ (leave them out to have them numbered)");
        var counters = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < layers.Count; i++)
        {
            if (layers[i].Name.Length > 0) continue;
            string prefix = Prefix(layers[i]);
            int n = counters.GetValueOrDefault(prefix);
            string name;
            do name = $"{prefix}{++n}"; while (taken.Contains(name));
            counters[prefix] = n;
            taken.Add(name);
            layers[i] = layers[i] with { Name = name };
        }
        return layers;
    }

    private static string Prefix(LayerSpec layer) => layer switch
    {
        Conv2dSpec => "conv",
        LinearSpec => "fc",
        BatchNormSpec => "bn",
        Pool2dSpec or AdaptiveAvgPool2dSpec => "pool",
        ResidualSpec => "block",
        SequentialSpec => "group",
        _ => layer.Type,
    };

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,63}$")]
    private static partial Regex NamePattern();

    internal static InvalidDataException Error(string where, string message) => new($"{where} {message}.");

    internal static string Kind(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Array => "a list",
        JsonValueKind.Object => "an object",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "true/false",
        _ => "null",
    };

    /// <summary>One layer's options, read with range checks.</summary>
    private sealed class LayerOptions(JsonElement element, string at)
    {
        public bool Has(string name) => element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null;

        public JsonElement Element(string name) => element.GetProperty(name);

        public InvalidDataException Missing(string name) => Error(at, $"needs \"{name}\"");

        public JsonElement Required(string name) => Has(name) ? Element(name) : throw Missing(name);

        public int? OptionalInt(string name, int min, int max)
        {
            if (!Has(name)) return null;
            var value = Element(name);
            if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int n) && n >= min && n <= max) return n;
            throw Error(at, $"has {name} {PrintableText.Escape(value.GetRawText(), 40)}; it must be a whole number from {min:N0} to {max:N0}");
        }

        public double Number(string name, double fallback, double min, double max, bool inclusiveMinimum = true, bool inclusiveMaximum = true)
        {
            if (!Has(name)) return fallback;
            var value = Element(name);
            if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out double x) && double.IsFinite(x)
                && (inclusiveMinimum ? x >= min : x > min) && (inclusiveMaximum ? x <= max : x < max))
                return x;
            throw Error(at, string.Create(CultureInfo.InvariantCulture,
                $"has {name} {PrintableText.Escape(value.GetRawText(), 40)}; it must be a number in {(inclusiveMinimum ? '[' : '(')}{min}, {max}{(inclusiveMaximum ? ']' : ')')}"));
        }

        public bool Bool(string name, bool fallback)
        {
            if (!Has(name)) return fallback;
            var value = Element(name);
            return value.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw Error(at, $"has {name} {PrintableText.Escape(value.GetRawText(), 40)}; it must be true or false"),
            };
        }

        public string Choice(string name, string fallback, string[] choices)
        {
            if (!Has(name)) return fallback;
            var value = Element(name);
            if (value.ValueKind == JsonValueKind.String && choices.Contains(value.GetString()!)) return value.GetString()!;
            throw Error(at, $"has {name} {PrintableText.Escape(value.GetRawText(), 40)}; it must be one of: {string.Join(", ", choices.Select(c => $"\"{c}\""))}");
        }

        // One number for both sides, or [height, width].
        public Size2 Size(string name, Size2? fallback, int min, int max)
        {
            if (!Has(name)) return fallback ?? throw Missing(name);
            var value = Element(name);
            if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int n) && n >= min && n <= max)
                return Size2.Square(n);
            if (value.ValueKind == JsonValueKind.Array && value.GetArrayLength() == 2
                && value[0].ValueKind == JsonValueKind.Number && value[0].TryGetInt32(out int h) && h >= min && h <= max
                && value[1].ValueKind == JsonValueKind.Number && value[1].TryGetInt32(out int w) && w >= min && w <= max)
                return new Size2(h, w);
            throw Error(at, $"has {name} {PrintableText.Escape(value.GetRawText(), 40)}; it must be a whole number from {min:N0} to {max:N0}, or [height, width] of such numbers");
        }
    }
}
