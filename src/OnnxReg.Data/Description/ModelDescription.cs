namespace OnnxReg.Data;

/// <summary>What an input takes: pixels normalized by the app (<see cref="Normalized"/>) or raw 0–255 values that the
/// graph normalizes itself (<see cref="Pixels0To255"/>).</summary>
public enum InputRange
{
    /// <summary>Normalized values: apply <see cref="ModelDescription.Normalization"/> before feeding.</summary>
    Normalized,

    /// <summary>Raw pixel values 0–255; the graph normalizes them.</summary>
    Pixels0To255,
}

/// <summary>What a classifier's output holds.</summary>
public enum OutputKind
{
    /// <summary>Unnormalized scores; softmax gives probabilities.</summary>
    Logits,

    /// <summary>Class probabilities (a Softmax was exported).</summary>
    Probabilities,
}

/// <summary>
/// Everything an exported model file says about itself in its <c>metadata_props</c>: how to feed it, what it returns,
/// and how it was made. <see cref="ModelDescriptionCodec"/> is the one place that writes and reads these entries; the
/// exporter encodes a description and the runtime decodes it, so the two cannot drift apart.
/// </summary>
/// <example>
/// <code>
/// using var classifier = OnnxClassifier.Load("model.onnx");
/// ModelDescription description = classifier.Description;
/// Console.WriteLine($"{description.Metrics?.StopReason} after epoch {description.Metrics?.Epoch}: {description.Command}");
/// </code>
/// </example>
public sealed record ModelDescription
{
    /// <summary>The highest schema version this OnnxReg writes and reads. Version 2 added <see cref="Image"/> and
    /// per-channel normalization, which change how a model must be fed, so a file that uses either says
    /// <c>onnxreg.schema_version: 2</c> and an OnnxReg that only knows version 1 refuses it instead of feeding it
    /// wrongly. Files that use neither carry no version entry and are version 1, as before, byte for byte.</summary>
    public const int CurrentSchemaVersion = 2;

    /// <summary>The shape of one input sample without the batch dimension, e.g. [1, 28, 28]; null if the file does not record it.</summary>
    public IReadOnlyList<long>? InputShape { get; init; }

    /// <summary>The sample layout derived from <see cref="InputShape"/>: "CHW" for images, "C" for flat vectors, or "rankN".</summary>
    public string? InputLayout => InputShape is null ? null : LayoutOf(InputShape.Count);

    /// <summary>What the input takes.</summary>
    public InputRange InputRange { get; init; }

    /// <summary>The pixel normalization the model was trained with, or null if none is recorded (0–1 scaling only).</summary>
    public Normalization? Normalization { get; init; }

    /// <summary>How an image file is prepared for the model (colour, size, resize policy), or null when the file does
    /// not say (a model trained on IDX data: grayscale at the input shape's size, stretched).</summary>
    public ImagePreparation? Image { get; init; }

    /// <summary>What the output holds.</summary>
    public OutputKind Output { get; init; }

    /// <summary>Class names by output index, or null if the file records none.</summary>
    public IReadOnlyList<string>? ClassNames { get; init; }

    /// <summary>The training configuration as JSON (<c>TrainingConfiguration.FromJson</c> in OnnxReg.Training reads it), or null.</summary>
    public string? TrainingConfiguration { get; init; }

    /// <summary>The metrics of the exported epoch, or null if none are recorded (or the entry does not parse).</summary>
    public FinalMetrics? Metrics { get; init; }

    /// <summary>The command line that trained the model, to rebuild it exactly, or null.</summary>
    public string? Command { get; init; }

    /// <summary>SHA-256 (hex) of the exported weights in graph order, or null.</summary>
    public string? WeightsSha256 { get; init; }

    /// <summary>The OnnxReg version that wrote the file (the ONNX <c>producer_version</c>), or null if unknown.</summary>
    public string? ProducerVersion { get; init; }

    internal static string LayoutOf(int rank) => rank switch { 3 => "CHW", 1 => "C", _ => $"rank{rank}" };
}
