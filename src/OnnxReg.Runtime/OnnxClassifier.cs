using System.Buffers;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using OnnxReg.Data;
using OnnxReg.Data.Images;

namespace OnnxReg.Runtime;

/// <summary>
/// An exported image classifier loaded into ONNX Runtime. It owns its <see cref="InferenceSession"/>: dispose
/// the classifier to release the session's native memory. Predictions run on the caller's memory (no copies
/// of inputs or outputs) and keep no per-call state, so one instance may serve many threads at once.
/// </summary>
/// <example>
/// <code>
/// using var classifier = OnnxClassifier.Load("model.onnx");
/// float[] logits = classifier.PredictLogits(inputs, batchSize: 1);
/// </code>
/// </example>
public sealed class OnnxClassifier : IDisposable
{
    private readonly InferenceSession _session;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly int _fixedBatchSize;
    // Shared by all calls: RunOptions holds no per-run state unless a caller sets a tag or terminate flag, which we never do.
    private readonly RunOptions _runOptions = new();
    private readonly ThreadLocal<OrtBinding?> _bindings = new(trackAllValues: true);

    private OnnxClassifier(string path, InferenceSession session)
    {
        _session = session;
        Path = path;
        var (inputName, input) = SingleTensor(path, "input", session.InputMetadata);
        var (outputName, output) = SingleTensor(path, "output", session.OutputMetadata);
        _inputNames = [inputName];
        _outputNames = [outputName];
        if (input.Dimensions.Length < 2)
            throw Invalid(path, $"its input '{inputName}' has rank {input.Dimensions.Length}; a classifier takes a batch dimension plus at least one more");
        if (input.Dimensions.Skip(1).Any(d => d <= 0))
            throw Invalid(path, $"its input '{inputName}' has shape {FormatShape(input)}; only the batch dimension may be symbolic");
        _fixedBatchSize = input.Dimensions[0] > 0 ? input.Dimensions[0] : 0;
        SampleShape = input.Dimensions.Skip(1).ToArray();
        // Bounded before anything is sized from it: a tiny file may declare [N, 1, 20000, 20000], and images are
        // resized to whatever the model declares.
        long maxValues = ResourceLimits.MaxModelInputValues;
        long sampleSize = 1;
        foreach (int d in SampleShape)
            if ((sampleSize *= d) > maxValues)
                throw Invalid(path, $"its input '{inputName}' has shape {FormatShape(input)}, more than {maxValues:N0} values per sample ({ResourceLimits.HowToRaise(ResourceLimits.MaxModelInputValuesVariable)})");
        SampleSize = (int)sampleSize;
        if (output.Dimensions.Length != 2 || output.Dimensions[1] <= 0)
            throw Invalid(path, $"its output '{outputName}' has shape {FormatShape(output)}; a classifier returns [N, classes] with a fixed class count");
        if (output.Dimensions[1] > maxValues)
            throw Invalid(path, $"its output '{outputName}' has shape {FormatShape(output)}, more than {maxValues:N0} classes ({ResourceLimits.HowToRaise(ResourceLimits.MaxModelInputValuesVariable)})");
        ClassCount = output.Dimensions[1];

        Metadata = session.ModelMetadata.CustomMetadataMap;
        ClassNames = ClassifierMetadata.ClassNames(path, Metadata, ClassCount);
        Normalization = ClassifierMetadata.Normalization(path, Metadata);
        TakesRawPixels = ClassifierMetadata.Choice(path, Metadata, ModelMetadataKeys.InputRange, "normalized", "pixels_0_255") == "pixels_0_255";
        OutputsProbabilities = ClassifierMetadata.Choice(path, Metadata, ModelMetadataKeys.OutputKind, "logits", "probabilities") == "probabilities";
        InputName = inputName;
    }

    /// <summary>The file the model was loaded from.</summary>
    public string Path { get; }

    /// <summary>The graph input's name.</summary>
    public string InputName { get; }

    /// <summary>The shape of one input sample (without the batch dimension), e.g. [1, 28, 28].</summary>
    public IReadOnlyList<int> SampleShape { get; }

    /// <summary>Values per sample: the product of <see cref="SampleShape"/>.</summary>
    public int SampleSize { get; }

    /// <summary>The number of classes (outputs per sample).</summary>
    public int ClassCount { get; }

    /// <summary>Class names from the model's metadata, or "0", "1", … when it has none.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>The pixel normalization recorded at export; <see cref="Data.Normalization.None"/> (0–1 scaling) when the model records none.</summary>
    public Normalization Normalization { get; }

    /// <summary>True if the graph takes raw pixel values (0–255) and normalizes them itself.</summary>
    public bool TakesRawPixels { get; }

    /// <summary>True if the output holds probabilities (a Softmax was exported), false for logits.</summary>
    public bool OutputsProbabilities { get; }

    /// <summary>The model's <c>metadata_props</c>.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The fixed batch size the model requires, or null if any batch size runs.</summary>
    public int? FixedBatchSize => _fixedBatchSize > 0 ? _fixedBatchSize : null;

    /// <summary>Loads an ONNX classifier with all of ONNX Runtime's graph optimizations enabled.</summary>
    /// <param name="path">The <c>.onnx</c> file.</param>
    /// <param name="intraOpThreads">Threads per inference (0: ONNX Runtime's default, one per core).</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not an ONNX model ONNX Runtime can load, not a classifier (one float input,
    /// one [N, classes] float output), or over a limit of <see cref="ResourceLimits"/> (metadata size, input size).</exception>
    /// <remarks>ONNX Runtime's own log lines (warnings such as an unused initializer) are silenced: every failure
    /// reaches the caller as an exception instead.</remarks>
    public static OnnxClassifier Load(string path, int intraOpThreads = 0)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"Model file '{path}' does not exist.", path);
        if (intraOpThreads < 0)
            throw new ArgumentOutOfRangeException(nameof(intraOpThreads), intraOpThreads, "Thread count must be 0 (default) or more.");
        OnnxFile.CheckLimits(path); // before ONNX Runtime parses metadata it would copy entry by entry
        InferenceSession session;
        using (var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, IntraOpNumThreads = intraOpThreads, LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL,
        })
        {
            try
            {
                session = new InferenceSession(path, options);
            }
            catch (OnnxRuntimeException e)
            {
                throw Invalid(path, $"ONNX Runtime cannot load it ({FirstLine(e.Message)})", e);
            }
        }
        try
        {
            return new OnnxClassifier(path, session);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Runs <paramref name="batchSize"/> samples (already normalized, <see cref="SampleSize"/> values each,
    /// row-major) and writes <c>batchSize × ClassCount</c> logits into <paramref name="logits"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The spans are too short, or the batch size does not fit the model.</exception>
    public unsafe void PredictLogits(ReadOnlySpan<float> inputs, int batchSize, Span<float> logits)
    {
        if (batchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "Batch size must be at least 1.");
        if (_fixedBatchSize > 0 && batchSize != _fixedBatchSize)
            throw new ArgumentException($"Model '{Path}' was exported with a fixed batch size of {_fixedBatchSize}; received a batch of {batchSize}. Re-export with a dynamic batch or send batches of {_fixedBatchSize}.", nameof(batchSize));
        long inputLength = (long)batchSize * SampleSize;
        long outputLength = (long)batchSize * ClassCount;
        if (inputs.Length != inputLength)
            throw new ArgumentException($"Model '{Path}' input '{InputName}' expects [{batchSize}, {string.Join(", ", SampleShape)}] = {inputLength} values; received {inputs.Length}.", nameof(inputs));
        if (logits.Length < outputLength)
            throw new ArgumentException($"The logits buffer holds {logits.Length} values; {outputLength} are needed.", nameof(logits));

        fixed (float* input = inputs)
        fixed (float* output = logits)
        {
            var binding = _bindings.Value;
            if (binding is null || !binding.Describes((nint)input, (nint)output, batchSize))
            {
                binding?.Dispose();
                binding = _bindings.Value = new OrtBinding((nint)input, (nint)output, batchSize, SampleShape, ClassCount);
            }
            _session.Run(_runOptions, _inputNames, binding.Inputs, _outputNames, binding.Outputs);
        }
    }

    /// <summary>
    /// Turns raw pixels (0–255, the model's layout) into the values the model's input takes: normalized with
    /// <see cref="Normalization"/>, or as they are when the graph normalizes them itself.
    /// </summary>
    public void PreparePixels(ReadOnlySpan<byte> pixels, Span<float> inputs)
    {
        if (inputs.Length < pixels.Length)
            throw new ArgumentException($"The input buffer holds {inputs.Length} values; {pixels.Length} are needed.", nameof(inputs));
        if (!TakesRawPixels)
        {
            Normalization.Apply(pixels, inputs);
            return;
        }
        for (int i = 0; i < pixels.Length; i++) inputs[i] = pixels[i];
    }

    /// <summary>Classifies one image given as raw pixels (0–255, <see cref="SampleSize"/> values in the model's layout).</summary>
    /// <remarks>Working buffers come from a shared pool, so a steady stream of calls allocates only the result
    /// (and the wrappers for a pooled buffer the pool hands out for the first time).</remarks>
    public Prediction Predict(ReadOnlySpan<byte> pixels) => PredictBatch(pixels, 1)[0];

    /// <summary>Classifies <paramref name="count"/> images given back to back as raw pixels.</summary>
    public Prediction[] PredictBatch(ReadOnlySpan<byte> pixels, int count)
    {
        if (count < 1 || pixels.Length != (long)count * SampleSize)
            throw new ArgumentException($"Expected {count} images of {SampleSize} pixels ({(long)count * SampleSize} bytes); received {pixels.Length} bytes.", nameof(pixels));
        var inputs = ArrayPool<float>.Shared.Rent(count * SampleSize);
        var outputs = ArrayPool<float>.Shared.Rent(count * ClassCount);
        try
        {
            PreparePixels(pixels, inputs);
            PredictLogits(inputs.AsSpan(0, count * SampleSize), count, outputs);
            var predictions = new Prediction[count];
            for (int i = 0; i < count; i++)
            {
                var probabilities = outputs.AsSpan(i * ClassCount, ClassCount).ToArray();
                if (!OutputsProbabilities) Softmax(probabilities);
                int best = Evaluator.ArgMax(probabilities);
                predictions[i] = new Prediction(best, ClassNames[best], probabilities, ClassNames);
            }
            return predictions;
        }
        finally
        {
            ArrayPool<float>.Shared.Return(inputs);
            ArrayPool<float>.Shared.Return(outputs);
        }
    }

    /// <summary>Classifies an image file (decoded with ImageSharp, converted to the model's channels and size).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a decodable image.</exception>
    public Prediction PredictImage(string path) => Predict(ImageInput.Load(path, ImageChannels, ImageHeight, ImageWidth));

    /// <summary>Classifies an image read from <paramref name="stream"/>.</summary>
    public Prediction PredictImage(Stream stream) => Predict(ImageInput.Load(stream, ImageChannels, ImageHeight, ImageWidth));

    private int ImageChannels => SampleShape.Count == 3 ? SampleShape[0]
        : throw new InvalidDataException($"Model '{Path}' takes inputs of shape [{string.Join(", ", SampleShape)}], not images [channels, height, width].");

    private int ImageHeight => SampleShape[1];

    private int ImageWidth => SampleShape[2];

    /// <summary>Replaces logits by their softmax, in place (stable: the maximum is subtracted first).</summary>
    public static void Softmax(Span<float> values)
    {
        float max = float.NegativeInfinity;
        foreach (var v in values) max = Math.Max(max, v);
        double sum = 0;
        for (int i = 0; i < values.Length; i++) sum += values[i] = MathF.Exp(values[i] - max);
        for (int i = 0; i < values.Length; i++) values[i] = (float)(values[i] / sum);
    }

    /// <summary>Runs a batch and returns a new array of <c>batchSize × ClassCount</c> logits.</summary>
    public float[] PredictLogits(ReadOnlySpan<float> inputs, int batchSize)
    {
        var logits = new float[(long)batchSize * ClassCount];
        PredictLogits(inputs, batchSize, logits);
        return logits;
    }

    /// <summary>Releases the ONNX Runtime session.</summary>
    public void Dispose()
    {
        foreach (var binding in _bindings.Values) binding?.Dispose();
        _bindings.Dispose();
        _runOptions.Dispose();
        _session.Dispose();
    }

    private static (string Name, NodeMetadata Metadata) SingleTensor(string path, string role, IReadOnlyDictionary<string, NodeMetadata> values)
    {
        if (values.Count != 1)
            throw Invalid(path, $"it has {values.Count} {role}s; a classifier has exactly one");
        var (name, metadata) = values.First();
        if (!metadata.IsTensor || metadata.ElementDataType != TensorElementType.Float)
            throw Invalid(path, $"its {role} '{name}' is {(metadata.IsTensor ? metadata.ElementDataType.ToString() : metadata.OnnxValueType.ToString())}, not a float tensor");
        return (name, metadata);
    }

    private static string FormatShape(NodeMetadata metadata) =>
        "[" + string.Join(", ", metadata.Dimensions.Select((d, i) => d > 0 ? d.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : string.IsNullOrEmpty(metadata.SymbolicDimensions[i]) ? "?" : metadata.SymbolicDimensions[i])) + "]";

    private static string FirstLine(string message) => message.Split('\n')[0].Trim();

    private static InvalidDataException Invalid(string path, string problem, Exception? inner = null) =>
        new($"'{path}' is not a usable ONNX classifier: {problem}.", inner);
}
