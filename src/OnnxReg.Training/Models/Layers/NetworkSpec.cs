using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using OnnxReg.Data;
using OnnxReg.Data.IO;

namespace OnnxReg.Training.Models.Layers;

/// <summary>
/// A network described layer by layer in a model file — <c>onnxreg train --model my-net.json</c> — instead of a
/// preset. The file is <c>{"layers": [...]}</c> (or the list alone) in PyTorch's vocabulary (<see cref="LayerSpec"/>);
/// it is recorded whole in the training configuration, the checkpoint and the exported model's metadata, with every
/// layer's name resolved, so a run can be rebuilt from any of them.
/// </summary>
/// <example>
/// <code>
/// {"layers": [
///   {"type": "conv2d", "out_channels": 32, "kernel_size": 3, "padding": 1, "bias": false},
///   {"type": "batchnorm"}, {"type": "relu"},
///   {"type": "residual", "body": [
///     {"type": "conv2d", "out_channels": 32, "kernel_size": 3, "padding": 1}, {"type": "relu"},
///     {"type": "conv2d", "out_channels": 32, "kernel_size": 3, "padding": 1}]},
///   {"type": "relu"}, {"type": "maxpool2d", "kernel_size": 2}, {"type": "dropout2d", "p": 0.1},
///   {"type": "flatten"}, {"type": "linear", "out_features": 128}, {"type": "relu"},
///   {"type": "dropout", "p": 0.5}, {"type": "linear"}]}
/// </code>
/// </example>
[JsonConverter(typeof(NetworkSpecJsonConverter))]
public sealed class NetworkSpec
{
    /// <summary>The most layers a model file may hold, nested ones counted (a stranger's file cannot make the reader
    /// or the builder work without bound).</summary>
    public const int MaxLayers = 1000;

    /// <summary>The deepest nesting of sequences and residual blocks.</summary>
    public const int MaxDepth = 16;

    /// <summary>Creates a network of <paramref name="layers"/> (named, as <see cref="Parse"/> leaves them).</summary>
    public NetworkSpec(IReadOnlyList<LayerSpec> layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        if (layers.Count == 0) throw new ArgumentException("A network needs at least one layer.", nameof(layers));
        Layers = layers;
    }

    /// <summary>The top-level layers, in order.</summary>
    public IReadOnlyList<LayerSpec> Layers { get; }

    /// <summary>Every layer, nested ones included, depth first in the order they run (a residual block's body before its shortcut).</summary>
    public IEnumerable<LayerSpec> AllLayers => Walk(Layers);

    /// <summary>How many <c>dropout</c> layers there are: the positions <c>--dropout</c> sets.</summary>
    public int DropoutCount => AllLayers.Count(l => l is DropoutSpec { Spatial: false });

    /// <summary>How many <c>dropout2d</c> layers there are: the positions <c>--spatial-dropout</c> sets.</summary>
    public int SpatialDropoutCount => AllLayers.Count(l => l is DropoutSpec { Spatial: true });

    /// <summary>Reads a model file's text.</summary>
    /// <exception cref="InvalidDataException">It is not JSON, not a model file, or a layer is wrong (the message says where and what).</exception>
    public static NetworkSpec Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 2 * MaxDepth + 8 });
            var layers = document.RootElement;
            if (layers.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in layers.EnumerateObject().Where(p => p.Name != "layers"))
                    throw new InvalidDataException($"the model file has the unknown property '{PrintableText.Escape(property.Name, 40)}'{DidYouMean.Hint(property.Name, ["layers"])}; a model file is {{\"layers\": [...]}}.");
                if (!document.RootElement.TryGetProperty("layers", out layers))
                    throw new InvalidDataException("the model file has no \"layers\"; a model file is {\"layers\": [{\"type\": \"conv2d\", ...}, ...]}.");
            }
            return new NetworkSpec(NetworkSpecReader.Read(layers));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"the model file is not valid JSON: {ErrorMessages.OneLine(e)}", e);
        }
    }

    /// <summary>Reads the model file at <paramref name="path"/> (a regular file of at most <see cref="ResourceLimits.MaxTextFileBytes"/>).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a valid model file; the message starts with its path.</exception>
    public static NetworkSpec Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"Model file '{path}' does not exist.", path);
        try
        {
            return Parse(UntrustedFile.ReadAllText(path, "model file"));
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"Model file '{path}': {e.Message}", e);
        }
    }

    /// <summary>The model file's text, <c>{"layers": [...]}</c>, with every name resolved and options left at
    /// their defaults left out; <see cref="Parse"/> reads it back to the same network.</summary>
    public string ToJson(bool indented = true)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = indented }))
        {
            writer.WriteStartObject();
            writer.WritePropertyName("layers");
            NetworkSpecWriter.Write(writer, Layers);
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Writes the model file atomically.</summary>
    public void Save(string path) => AtomicFile.WriteAllBytes(path, Encoding.UTF8.GetBytes(ToJson()));

    private static IEnumerable<LayerSpec> Walk(IEnumerable<LayerSpec> layers)
    {
        foreach (var layer in layers)
        {
            yield return layer;
            var children = layer switch
            {
                SequentialSpec sequence => sequence.Layers,
                ResidualSpec block => block.Body.Concat(block.Shortcut ?? []),
                _ => [],
            };
            foreach (var child in Walk(children))
                yield return child;
        }
    }
}

/// <summary>Reads and writes <see cref="NetworkSpec"/> as the <c>layers</c> list inside a training configuration.</summary>
internal sealed class NetworkSpecJsonConverter : JsonConverter<NetworkSpec>
{
    public override NetworkSpec Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        try
        {
            return new NetworkSpec(NetworkSpecReader.Read(document.RootElement));
        }
        catch (InvalidDataException e)
        {
            throw new JsonException($"model.{e.Message}", e);
        }
    }

    public override void Write(Utf8JsonWriter writer, NetworkSpec value, JsonSerializerOptions options) => NetworkSpecWriter.Write(writer, value.Layers);
}
