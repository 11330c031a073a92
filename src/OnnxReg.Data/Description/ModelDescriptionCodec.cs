using System.Globalization;
using System.Text.Json;

namespace OnnxReg.Data;

/// <summary>
/// The one encoder and decoder of <see cref="ModelDescription"/> to and from a model's <c>metadata_props</c>
/// (string keys and values; lists and records as JSON). The README's "Model file schema" table documents every key.
/// </summary>
public static class ModelDescriptionCodec
{
    // camelCase names, nulls written: a metrics entry always has the same keys. Reading ignores case, so metrics
    // written by the study of OnnxReg 0.1 (PascalCase names) still load.
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The <c>metadata_props</c> entries that say what <paramref name="description"/> says (all but
    /// <see cref="ModelDescription.WeightsSha256"/>, which the exporter adds once the graph exists, and
    /// <see cref="ModelDescription.ProducerVersion"/>, which ONNX keeps in its own field).</summary>
    public static Dictionary<string, string> Encode(ModelDescription description)
    {
        ArgumentNullException.ThrowIfNull(description);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [ModelMetadataKeys.InputRange] = description.InputRange == InputRange.Pixels0To255 ? PixelsRange : NormalizedRange,
            [ModelMetadataKeys.OutputKind] = description.Output == OutputKind.Probabilities ? ProbabilitiesOutput : LogitsOutput,
        };
        if (description.InputShape is { } shape)
        {
            metadata[ModelMetadataKeys.InputShape] = JsonSerializer.Serialize(shape);
            metadata[ModelMetadataKeys.InputLayout] = description.InputLayout!;
        }
        if (description.Normalization is { } normalization)
            metadata[ModelMetadataKeys.Normalization] = JsonSerializer.Serialize(normalization, Json);
        if (description.Image is { } image)
            metadata[ModelMetadataKeys.Image] = EncodeImage(image);
        if (description.ClassNames is { } classNames)
            metadata[ModelMetadataKeys.ClassNames] = JsonSerializer.Serialize(classNames);
        if (description.TrainingConfiguration is { } configuration)
            metadata[ModelMetadataKeys.TrainingConfiguration] = configuration;
        if (description.Metrics is { } metrics)
            metadata[ModelMetadataKeys.Metrics] = JsonSerializer.Serialize(metrics, Json);
        if (description.Command is { } command)
            metadata[ModelMetadataKeys.Command] = command;
        if (description.WeightsSha256 is { } hash)
            metadata[ModelMetadataKeys.WeightsSha256] = hash;
        if (description.Image is not null || description.Normalization is { IsShared: false })
            metadata[ModelMetadataKeys.SchemaVersion] = "2";
        return metadata;
    }

    /// <summary>
    /// Reads a description from <paramref name="metadata"/>. Entries a model needs to be fed correctly (class names,
    /// normalization, input range, output kind, input shape, schema version) must parse as written, or the model is
    /// refused; the informational metrics entry is null when it does not parse.
    /// </summary>
    /// <param name="metadata">The model's <c>metadata_props</c>.</param>
    /// <param name="classCount">The model's output size, which the class names must match; null to skip the check.</param>
    /// <param name="producerVersion">The file's ONNX <c>producer_version</c>, if known.</param>
    /// <exception cref="InvalidDataException">An entry is malformed; the message names the key and says what it should hold.</exception>
    public static ModelDescription Decode(IReadOnlyDictionary<string, string> metadata, int? classCount = null, string? producerVersion = null)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        CheckSchemaVersion(metadata);
        var shape = Parse(metadata, ModelMetadataKeys.InputShape, "a JSON list of positive sizes", (long[]? s) => s is { Length: > 0 and <= 8 } && s.All(d => d > 0));
        if (shape is not null && metadata.TryGetValue(ModelMetadataKeys.InputLayout, out var layout) && layout != ModelDescription.LayoutOf(shape.Length))
            throw Invalid($"its metadata '{ModelMetadataKeys.InputLayout}' is '{layout}' but its input shape has rank {shape.Length}");
        var classNames = Parse(metadata, ModelMetadataKeys.ClassNames, "a JSON list of strings", (string[]? n) => n is not null && n.All(s => s is not null));
        if (classNames is not null && classCount is int count && classNames.Length != count)
            throw Invalid($"its metadata lists {classNames.Length} class names but the model has {count} outputs");
        return new ModelDescription
        {
            InputShape = shape,
            InputRange = Choice(metadata, ModelMetadataKeys.InputRange, NormalizedRange, PixelsRange) == PixelsRange ? InputRange.Pixels0To255 : InputRange.Normalized,
            Normalization = DecodeNormalization(metadata, shape is { Length: 3 } ? (int)shape[0] : null),
            Image = DecodeImage(metadata, shape),
            Output = Choice(metadata, ModelMetadataKeys.OutputKind, LogitsOutput, ProbabilitiesOutput) == ProbabilitiesOutput ? OutputKind.Probabilities : OutputKind.Logits,
            ClassNames = classNames,
            TrainingConfiguration = metadata.GetValueOrDefault(ModelMetadataKeys.TrainingConfiguration),
            Metrics = DecodeMetrics(metadata),
            Command = metadata.GetValueOrDefault(ModelMetadataKeys.Command),
            WeightsSha256 = metadata.GetValueOrDefault(ModelMetadataKeys.WeightsSha256),
            ProducerVersion = producerVersion,
        };
    }

    private const string NormalizedRange = "normalized", PixelsRange = "pixels_0_255", LogitsOutput = "logits", ProbabilitiesOutput = "probabilities";

    private static void CheckSchemaVersion(IReadOnlyDictionary<string, string> metadata)
    {
        if (!metadata.TryGetValue(ModelMetadataKeys.SchemaVersion, out var text))
            return;
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int version) || version < 1)
            throw Invalid($"its metadata '{ModelMetadataKeys.SchemaVersion}' is '{PrintableText.Escape(text)}'; expected a positive whole number");
        if (version > ModelDescription.CurrentSchemaVersion)
            throw Invalid($"it was written with model description schema {version} by a newer OnnxReg; this version reads schema {ModelDescription.CurrentSchemaVersion} and earlier, so upgrade OnnxReg");
    }

    private static T? Parse<T>(IReadOnlyDictionary<string, string> metadata, string key, string expected, Func<T?, bool> valid) where T : class
    {
        if (!metadata.TryGetValue(key, out var json))
            return null;
        T? value;
        try { value = JsonSerializer.Deserialize<T>(json); }
        catch (JsonException e) { throw Invalid($"its metadata '{key}' is not {expected} ({e.Message})", e); }
        return valid(value) ? value : throw Invalid($"its metadata '{key}' is not {expected}");
    }

    private static string Choice(IReadOnlyDictionary<string, string> metadata, string key, params string[] allowed)
    {
        if (!metadata.TryGetValue(key, out var value))
            return allowed[0];
        return allowed.Contains(value) ? value : throw Invalid($"its metadata '{key}' is '{PrintableText.Escape(value)}'; expected {string.Join(" or ", allowed)}");
    }

    private static Normalization? DecodeNormalization(IReadOnlyDictionary<string, string> metadata, int? channels)
    {
        if (!metadata.TryGetValue(ModelMetadataKeys.Normalization, out var json))
            return null;
        try
        {
            var normalization = JsonSerializer.Deserialize<Normalization>(json, Json)
                ?? throw new JsonException("null");
            normalization.Validate(channels);
            if (!normalization.IsShared && channels is null)
                throw new FormatException($"a per-channel normalization needs a [C, H, W] '{ModelMetadataKeys.InputShape}'");
            return normalization;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw Invalid($"its metadata '{ModelMetadataKeys.Normalization}' is not {{\"mean\": number or list, \"std\": positive number or list}} ({e.Message})", e);
        }
    }

    private static string EncodeImage(ImagePreparation image) =>
        JsonSerializer.Serialize(new StoredImage(Lower(image.Color), image.Height, image.Width, Lower(image.Resize)));

    private static string Lower<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();

    private static ImagePreparation? DecodeImage(IReadOnlyDictionary<string, string> metadata, long[]? shape)
    {
        if (!metadata.ContainsKey(ModelMetadataKeys.Image))
            return null;
        const string Expected = "{\"color\": \"gray\" or \"rgb\", \"height\": H, \"width\": W, \"resize\": \"stretch\", \"crop\" or \"pad\"}";
        var stored = Parse(metadata, ModelMetadataKeys.Image, Expected, (StoredImage? s) => s is { Color: not null, Resize: not null });
        if (!Enum.TryParse<ColorMode>(stored!.Color, ignoreCase: true, out var color) || !Enum.IsDefined(color) || stored.Color.Any(char.IsDigit)
            || !Enum.TryParse<ResizePolicy>(stored.Resize, ignoreCase: true, out var resize) || !Enum.IsDefined(resize) || stored.Resize!.Any(char.IsDigit))
            throw Invalid($"its metadata '{ModelMetadataKeys.Image}' is not {Expected}");
        var image = new ImagePreparation(color, stored.Height, stored.Width, resize);
        try
        {
            image.Validate();
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw Invalid($"its metadata '{ModelMetadataKeys.Image}' is not {Expected} ({ErrorMessages.OneLine(e)})", e);
        }
        if (shape is not null && (shape.Length != 3 || shape[0] != image.Channels || shape[1] != image.Height || shape[2] != image.Width))
            throw Invalid($"its metadata '{ModelMetadataKeys.Image}' says {image} but its input shape is [{string.Join(", ", shape)}]");
        return image;
    }

    private sealed record StoredImage(
        [property: System.Text.Json.Serialization.JsonPropertyName("color")] string? Color,
        [property: System.Text.Json.Serialization.JsonPropertyName("height")] int Height,
        [property: System.Text.Json.Serialization.JsonPropertyName("width")] int Width,
        [property: System.Text.Json.Serialization.JsonPropertyName("resize")] string? Resize);

    // Metrics only inform people; a file whose entry is damaged, or was written by OnnxReg 0.1 in another shape,
    // still serves predictions. Missing numbers read as NaN (accuracy) or null, and 0.1's "in progress" as InProgress.
    private static FinalMetrics? DecodeMetrics(IReadOnlyDictionary<string, string> metadata)
    {
        if (!metadata.TryGetValue(ModelMetadataKeys.Metrics, out var json))
            return null;
        try
        {
            var read = JsonSerializer.Deserialize<StoredMetrics>(json, Json);
            if (read is not { Epoch: int epoch, TrainLoss: double trainLoss, StopReason: { } stopReason })
                return null;
            return new FinalMetrics(epoch, trainLoss, read.TrainAccuracy ?? double.NaN, read.ValidationLoss, read.ValidationAccuracy,
                stopReason == "in progress" ? FinalMetrics.InProgress : stopReason, read.Data, read.TrainImages);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private sealed record StoredMetrics(int? Epoch, double? TrainLoss, double? TrainAccuracy, double? ValidationLoss, double? ValidationAccuracy,
        string? StopReason, string? Data, int? TrainImages);

    private static InvalidDataException Invalid(string problem, Exception? inner = null) => new(problem, inner);
}
