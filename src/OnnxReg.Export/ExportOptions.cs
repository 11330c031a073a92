using OnnxReg.Data;

namespace OnnxReg.Export;

/// <summary>How <see cref="OnnxExporter"/> writes a model.</summary>
public sealed record ExportOptions
{
    /// <summary>The ai.onnx opset the graph follows. Default 13: every op OnnxReg emits exists in that form
    /// since opset 13, and ONNX Runtime has read it since 1.6 (2020). Allowed: 13 to 21.</summary>
    public int Opset { get; init; } = 13;

    /// <summary>The IR version declared. Default 8 (ONNX 1.10, ONNX Runtime ≥ 1.10). Allowed: 7 to 10.</summary>
    public int IrVersion { get; init; } = 8;

    /// <summary>True (default): the batch dimension is symbolic ("N") so any batch size runs. False: fixed to <see cref="FixedBatchSize"/>.</summary>
    public bool DynamicBatch { get; init; } = true;

    /// <summary>The batch size when <see cref="DynamicBatch"/> is false.</summary>
    public int FixedBatchSize { get; init; } = 1;

    /// <summary>The graph input's name.</summary>
    public string InputName { get; init; } = "input";

    /// <summary>The graph output's name (default "logits", or "probabilities" with <see cref="SoftmaxOutput"/>).</summary>
    public string? OutputName { get; init; }

    /// <summary>Append a Softmax so the model outputs class probabilities instead of logits (recorded in the metadata).</summary>
    public bool SoftmaxOutput { get; init; }

    /// <summary>Fold each BatchNorm that directly follows a Conv2d or Linear into that layer's weights (fewer nodes;
    /// the same outputs up to float rounding). Off by default: the graph then mirrors the network layer for layer.</summary>
    public bool FoldBatchNorm { get; init; }

    /// <summary>The graph takes raw pixels (0–255) and applies <see cref="Normalization"/> itself, so an app feeds
    /// pixel values as they are. Needs <see cref="Normalization"/>.</summary>
    public bool NormalizeInGraph { get; init; }

    /// <summary>The output name used: <see cref="OutputName"/> or its default.</summary>
    public string ResolvedOutputName => OutputName ?? (SoftmaxOutput ? "probabilities" : "logits");

    /// <summary>Class names written to the metadata (optional; their count must match the output size).</summary>
    public IReadOnlyList<string>? ClassNames { get; init; }

    /// <summary>The input normalization the model was trained with, written to the metadata for the runtime.</summary>
    public Normalization? Normalization { get; init; }

    /// <summary>How image files were prepared for training (colour, size, resize policy), recorded so apps prepare photos
    /// the same way; null for data that were not decoded from image files.</summary>
    public ImagePreparation? Image { get; init; }

    /// <summary>The training configuration as JSON, recorded in the model description.</summary>
    public string? TrainingConfiguration { get; init; }

    /// <summary>The exported epoch's metrics, recorded in the model description.</summary>
    public FinalMetrics? Metrics { get; init; }

    /// <summary>The command line that trained the model, recorded so it can be rebuilt exactly.</summary>
    public string? Command { get; init; }

    /// <summary>An app's own metadata entries, written as given; keys starting with "onnxreg." belong to the model
    /// description and are refused (set them through the properties above).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is outside its allowed range.</exception>
    public void Validate()
    {
        if (Opset is < 13 or > 21)
            throw new ArgumentOutOfRangeException(nameof(Opset), Opset, $"Opset must be between 13 and 21. Received: Opset={Opset}.");
        if (IrVersion is < 7 or > 10)
            throw new ArgumentOutOfRangeException(nameof(IrVersion), IrVersion, $"IR version must be between 7 and 10. Received: IrVersion={IrVersion}.");
        if (!DynamicBatch && FixedBatchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(FixedBatchSize), FixedBatchSize, $"Fixed batch size must be at least 1. Received: FixedBatchSize={FixedBatchSize}.");
        if (string.IsNullOrWhiteSpace(InputName) || string.IsNullOrWhiteSpace(ResolvedOutputName) || InputName == ResolvedOutputName)
            throw new ArgumentException($"Input and output names must be non-empty and different. Received: InputName='{InputName}', OutputName='{ResolvedOutputName}'.");
        if (NormalizeInGraph && Normalization is null)
            throw new ArgumentException("NormalizeInGraph needs the Normalization to embed; set ExportOptions.Normalization.", nameof(NormalizeInGraph));
        Normalization?.Validate();
        foreach (var key in Metadata.Keys)
            if (key.StartsWith("onnxreg.", StringComparison.Ordinal))
                throw new ArgumentException($"Metadata key '{key}' belongs to the model description; set it through ExportOptions' properties instead.", nameof(Metadata));
    }
}
