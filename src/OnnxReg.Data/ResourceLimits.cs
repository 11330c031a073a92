using System.Globalization;

namespace OnnxReg.Data;

/// <summary>
/// The documented limits every reader of an untrusted file checks before it allocates: a file declares sizes, and a
/// declared size beyond a limit is refused with a message naming the limit and how to raise it, instead of being
/// trusted with the machine's memory. Each limit has a default and can be raised (or lowered) for a process with an
/// environment variable, or in code by setting the property before the files are read.
/// </summary>
/// <remarks>
/// A malformed environment variable is an error (<see cref="OnnxRegException"/> naming it) on first use of
/// that limit, never a silent fallback to the default.
/// </remarks>
public static class ResourceLimits
{
    /// <summary>Environment variable for <see cref="MaxImagePixels"/>.</summary>
    public const string MaxImagePixelsVariable = "ONNXREG_MAX_IMAGE_PIXELS";
    /// <summary>Environment variable for <see cref="MaxModelInputValues"/>.</summary>
    public const string MaxModelInputValuesVariable = "ONNXREG_MAX_MODEL_INPUT";
    /// <summary>Environment variable for <see cref="MaxParameters"/>.</summary>
    public const string MaxParametersVariable = "ONNXREG_MAX_PARAMETERS";
    /// <summary>Environment variable for <see cref="MaxTrainingMemoryBytes"/>.</summary>
    public const string MaxTrainingMemoryVariable = "ONNXREG_MAX_TRAINING_MEMORY";
    /// <summary>Environment variable for <see cref="MaxMetadataBytes"/>.</summary>
    public const string MaxMetadataBytesVariable = "ONNXREG_MAX_METADATA_BYTES";
    /// <summary>Environment variable for <see cref="MaxMetadataEntries"/>.</summary>
    public const string MaxMetadataEntriesVariable = "ONNXREG_MAX_METADATA_ENTRIES";
    /// <summary>Environment variable for <see cref="MaxIdxBytes"/>.</summary>
    public const string MaxIdxBytesVariable = "ONNXREG_MAX_IDX_BYTES";
    /// <summary>Environment variable for <see cref="MaxInferenceMemoryBytes"/>.</summary>
    public const string MaxInferenceMemoryVariable = "ONNXREG_MAX_INFERENCE_MEMORY";
    /// <summary>Environment variable for <see cref="MaxTextFileBytes"/>.</summary>
    public const string MaxTextFileBytesVariable = "ONNXREG_MAX_TEXT_FILE_BYTES";
    /// <summary>The environment variable of <see cref="MaxInMemoryImageBytes"/>.</summary>
    public const string MaxInMemoryImagesVariable = "ONNXREG_MAX_IN_MEMORY_IMAGES";

    private static readonly Limit ImagePixels = new(MaxImagePixelsVariable, 8192L * 8192);
    private static readonly Limit ModelInputValues = new(MaxModelInputValuesVariable, 16L << 20);
    private static readonly Limit Parameters = new(MaxParametersVariable, 50_000_000);
    private static readonly Limit TrainingMemory = new(MaxTrainingMemoryVariable, 8L << 30);
    private static readonly Limit MetadataBytes = new(MaxMetadataBytesVariable, 16L << 20);
    private static readonly Limit MetadataEntries = new(MaxMetadataEntriesVariable, 1024);
    private static readonly Limit IdxBytes = new(MaxIdxBytesVariable, 1L << 30);
    private static readonly Limit TextFileBytes = new(MaxTextFileBytesVariable, 16L << 20);
    private static readonly Limit InferenceMemory = new(MaxInferenceMemoryVariable, 2L << 30);
    private static readonly Limit InMemoryImages = new(MaxInMemoryImagesVariable, 1L << 30);

    /// <summary>
    /// The most bytes one split of an image folder may take decoded (images × channels × height × width) and still be
    /// held in memory; a larger split is streamed from disk a batch at a time (decoded from its files, or read from
    /// <c>--cache</c>). Default 1 GiB (87,000 RGB images at 64 × 64); <c>ONNXREG_MAX_IN_MEMORY_IMAGES</c> (bytes, or
    /// with a K, M or G suffix).
    /// </summary>
    public static long MaxInMemoryImageBytes { get => InMemoryImages.Value; set => InMemoryImages.Value = value; }

    /// <summary>Whether a split of <paramref name="bytes"/> decoded is held in memory: at most
    /// <paramref name="limit"/> (default <see cref="MaxInMemoryImageBytes"/>) and at most one .NET array.</summary>
    public static bool FitsInMemory(long bytes, long? limit = null) => bytes <= Math.Min(Array.MaxLength, limit ?? MaxInMemoryImageBytes);

    /// <summary>
    /// The most memory ONNX Runtime may hold for the tensors of running models (one arena shared by every model the
    /// process loads; at most 4 GiB): a small model whose graph builds a huge tensor at run time fails with a message
    /// naming this limit instead of taking the machine's memory. Default 2 GiB; <c>ONNXREG_MAX_INFERENCE_MEMORY</c>.
    /// Read when the first model is loaded.
    /// </summary>
    public static long MaxInferenceMemoryBytes { get => InferenceMemory.Value; set => InferenceMemory.Value = value; }

    /// <summary>
    /// The most pixels an image file may declare (width × height of its canvas; only the first frame of an animated
    /// GIF, PNG or WebP is decoded). Default 67,108,864 (8192 × 8192); <c>ONNXREG_MAX_IMAGE_PIXELS</c>.
    /// Also bounds one image of an IDX file.
    /// </summary>
    public static long MaxImagePixels { get => ImagePixels.Value; set => ImagePixels.Value = value; }

    /// <summary>
    /// The most values one sample of a model's input may hold (channels × height × width): a model file declaring a
    /// larger input is refused before any image is resized to it. Default 16,777,216 (64 MiB of floats, e.g.
    /// 3 × 2365 × 2365); <c>ONNXREG_MAX_MODEL_INPUT</c>.
    /// </summary>
    public static long MaxModelInputValues { get => ModelInputValues.Value; set => ModelInputValues.Value = value; }

    /// <summary>The most trainable parameters a network may have before it is built. Default 50,000,000;
    /// <c>ONNXREG_MAX_PARAMETERS</c>.</summary>
    public static long MaxParameters { get => Parameters.Value; set => Parameters.Value = value; }

    /// <summary>
    /// The most memory training may be estimated to need before the network is built: weights, gradients and two
    /// optimizer moments (4 copies of the parameters) plus each batch's activations and their gradients. Default
    /// 8 GiB; <c>ONNXREG_MAX_TRAINING_MEMORY</c> (bytes, or with a K, M or G suffix).
    /// </summary>
    public static long MaxTrainingMemoryBytes { get => TrainingMemory.Value; set => TrainingMemory.Value = value; }

    /// <summary>The most bytes of <c>metadata_props</c> (keys and values) a model file may hold. Default 16 MiB;
    /// <c>ONNXREG_MAX_METADATA_BYTES</c>.</summary>
    public static long MaxMetadataBytes { get => MetadataBytes.Value; set => MetadataBytes.Value = value; }

    /// <summary>The most <c>metadata_props</c> entries a model file may hold. Default 1,024;
    /// <c>ONNXREG_MAX_METADATA_ENTRIES</c>.</summary>
    public static long MaxMetadataEntries { get => MetadataEntries.Value; set => MetadataEntries.Value = value; }

    /// <summary>The most data bytes one IDX file may declare (after decompression). Default 1 GiB (1.3 million
    /// 28 × 28 images); <c>ONNXREG_MAX_IDX_BYTES</c>.</summary>
    public static long MaxIdxBytes { get => IdxBytes.Value; set => IdxBytes.Value = value; }

    /// <summary>The largest text file read whole (configuration JSON, baselines, <c>classes.txt</c>, study results).
    /// Default 16 MiB; <c>ONNXREG_MAX_TEXT_FILE_BYTES</c>.</summary>
    public static long MaxTextFileBytes { get => TextFileBytes.Value; set => TextFileBytes.Value = value; }

    /// <summary>"set ONNXREG_… to raise it": the advice every limit message ends with.</summary>
    public static string HowToRaise(string variable) => $"set the environment variable {variable} to raise the limit";

    private sealed class Limit(string variable, long defaultValue)
    {
        private long? _value;

        public long Value
        {
            get => _value ??= Parse(variable, Environment.GetEnvironmentVariable(variable), defaultValue);
            set
            {
                if (value < 1)
                    throw new ArgumentOutOfRangeException(nameof(value), value, $"A limit must be at least 1; received {value} for {variable}.");
                _value = value;
            }
        }
    }

    /// <summary>Parses a limit as its environment variable gives it: a positive whole number, optionally with a K, M or
    /// G suffix (powers of 1,024); <paramref name="defaultValue"/> when unset.</summary>
    /// <exception cref="OnnxRegException">The text is not such a number (the message names the variable).</exception>
    public static long Parse(string variable, string? text, long defaultValue)
    {
        if (string.IsNullOrWhiteSpace(text)) return defaultValue;
        text = text.Trim();
        long multiplier = char.ToUpperInvariant(text[^1]) switch { 'K' => 1L << 10, 'M' => 1L << 20, 'G' => 1L << 30, _ => 1 };
        var digits = multiplier == 1 ? text : text[..^1];
        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long number) || number < 1 || number > long.MaxValue / multiplier)
            throw new OnnxRegException($"The environment variable {variable} is '{text}'; it must be a positive whole number, optionally with a K, M or G suffix. Fix or unset it.");
        return number * multiplier;
    }
}
