namespace OnnxReg.Data;

/// <summary>
/// The <c>metadata_props</c> keys OnnxReg writes into exported models and the runtime reads back, so a model
/// file carries what an app needs to feed it. Values are strings; lists and records are JSON. Only
/// <see cref="ModelDescriptionCodec"/> writes and reads them.
/// </summary>
public static class ModelMetadataKeys
{
    /// <summary>JSON array of class names, indexed by output position.</summary>
    public const string ClassNames = "onnxreg.class_names";

    /// <summary>The per-sample input layout, e.g. "CHW" or "C" (flat).</summary>
    public const string InputLayout = "onnxreg.input_layout";

    /// <summary>JSON array of the per-sample input shape, e.g. [1,28,28].</summary>
    public const string InputShape = "onnxreg.input_shape";

    /// <summary>JSON object {"mean":…, "std":…} applied to pixels scaled to 0–1: numbers, or lists with one entry per channel.</summary>
    public const string Normalization = "onnxreg.normalization";

    /// <summary>JSON object {"color": "gray"|"rgb", "height": H, "width": W, "resize": "stretch"|"crop"|"pad"}: how an image
    /// file is prepared for the model (written when it was trained on an image folder; absent means grayscale, stretched).</summary>
    public const string Image = "onnxreg.image";

    /// <summary>What the input takes: "normalized" (apply <see cref="Normalization"/> before feeding) or
    /// "pixels_0_255" (raw pixel values; the graph normalizes them itself).</summary>
    public const string InputRange = "onnxreg.input_range";

    /// <summary>What the output holds: "logits" or "probabilities".</summary>
    public const string OutputKind = "onnxreg.output";

    /// <summary>JSON of the training configuration.</summary>
    public const string TrainingConfiguration = "onnxreg.training_config";

    /// <summary>JSON of the final training and validation metrics.</summary>
    public const string Metrics = "onnxreg.metrics";

    /// <summary>The command line that trained and exported the model (when the CLI made it), to rebuild it exactly.</summary>
    public const string Command = "onnxreg.command";

    /// <summary>SHA-256 (hex) of the exported weights, in graph order.</summary>
    public const string WeightsSha256 = "onnxreg.weights_sha256";

    /// <summary>The model description schema's version, a whole number; absent means 1 (see <see cref="ModelDescription.CurrentSchemaVersion"/>).</summary>
    public const string SchemaVersion = "onnxreg.schema_version";
}
