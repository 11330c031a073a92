using System.Buffers;
using Microsoft.ML.OnnxRuntime;
using OnnxReg.Data;

namespace OnnxReg.Runtime;

/// <summary>
/// An exported image classifier loaded into ONNX Runtime, with what its file says about itself
/// (<see cref="Description"/>). It owns its session: dispose the classifier to release the native memory. Calls run
/// on the caller's memory (no copies of inputs or outputs) and keep no per-call state, so one instance may serve many
/// threads at once.
/// </summary>
/// <remarks>
/// <see cref="Run"/> is the one core call: values in, the graph's output out (logits, or probabilities for a model
/// exported with a softmax output). The others are conveniences over it that say what they return:
/// <see cref="PredictLogits"/>, <see cref="PredictProbabilities(ReadOnlySpan{float}, int)"/>, and <see cref="Predict"/> /
/// <see cref="PredictBatch"/> from raw pixels. <see cref="ImagePrediction"/> adds image files and streams.
/// </remarks>
/// <example>
/// <code>
/// using var classifier = OnnxClassifier.Load("model.onnx");
/// Prediction prediction = classifier.Predict(pixels); // 784 bytes, 0–255, row-major
/// Console.WriteLine($"{prediction.ClassName} ({prediction.Confidence:P1})");
/// </code>
/// </example>
public sealed class OnnxClassifier : IDisposable
{
    private readonly OnnxSession _session;

    private OnnxClassifier(OnnxSession session, ModelDescription description)
    {
        _session = session;
        Description = description;
        ClassNames = description.ClassNames
            ?? Enumerable.Range(0, session.ClassCount).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
    }

    /// <summary>What the model file says about itself: how to feed it, what it returns, how it was trained.</summary>
    public ModelDescription Description { get; }

    /// <summary>The file the model was loaded from.</summary>
    public string Path => _session.Path;

    /// <summary>The graph input's name.</summary>
    public string InputName => _session.InputName;

    /// <summary>The graph output's name.</summary>
    public string OutputName => _session.OutputName;

    /// <summary>The shape of one input sample (without the batch dimension), e.g. [1, 28, 28].</summary>
    public IReadOnlyList<int> SampleShape => _session.SampleShape;

    /// <summary>Values per sample: the product of <see cref="SampleShape"/>.</summary>
    public int SampleSize => _session.SampleSize;

    /// <summary>The number of classes (outputs per sample).</summary>
    public int ClassCount => _session.ClassCount;

    /// <summary>Class names from the model's description, or "0", "1", … when it has none.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>The pixel normalization recorded at export; <see cref="Data.Normalization.None"/> (0–1 scaling) when the model records none.</summary>
    public Normalization Normalization => Description.Normalization ?? Normalization.None;

    /// <summary>True if the graph takes raw pixel values (0–255) and normalizes them itself.</summary>
    public bool TakesRawPixels => Description.InputRange == InputRange.Pixels0To255;

    /// <summary>True if the output holds probabilities (a Softmax was exported), false for logits.</summary>
    public bool OutputsProbabilities => Description.Output == OutputKind.Probabilities;

    /// <summary>The model's <c>metadata_props</c> as stored (the <see cref="Description"/> is decoded from them).</summary>
    public IReadOnlyDictionary<string, string> Metadata => _session.Metadata;

    /// <summary>The fixed batch size the model requires, or null if any batch size runs.</summary>
    public int? FixedBatchSize => _session.FixedBatchSize;

    /// <summary>Loads an ONNX classifier with all of ONNX Runtime's graph optimizations enabled.</summary>
    /// <param name="path">The <c>.onnx</c> file.</param>
    /// <param name="intraOpThreads">Threads per inference (0: ONNX Runtime's default, one per core).</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not an ONNX model ONNX Runtime can load, not a classifier (one float input,
    /// one [N, classes] float output), has a malformed description, or is over a limit of <see cref="ResourceLimits"/>.</exception>
    /// <remarks>ONNX Runtime's own log lines (warnings such as an unused initializer) are silenced: every failure
    /// reaches the caller as an exception instead.</remarks>
    public static OnnxClassifier Load(string path, int intraOpThreads = 0)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"Model file '{path}' does not exist.", path);
        if (intraOpThreads < 0)
            throw new ArgumentOutOfRangeException(nameof(intraOpThreads), intraOpThreads, "Thread count must be 0 (default) or more.");
        string? producerVersion = OnnxFile.CheckLimits(path); // before ONNX Runtime parses metadata it would copy entry by entry
        InferenceSession inference;
        using (var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, IntraOpNumThreads = intraOpThreads, LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL,
        })
        {
            try
            {
                inference = new InferenceSession(path, options);
            }
            catch (OnnxRuntimeException e)
            {
                throw OnnxSession.Invalid(path, $"ONNX Runtime cannot load it ({e.Message.Split('\n')[0].Trim()})", e);
            }
        }
        var session = new OnnxSession(path, inference);
        try
        {
            return new OnnxClassifier(session, ModelDescriptionCodec.Decode(session.Metadata, session.ClassCount, producerVersion));
        }
        catch (InvalidDataException e)
        {
            session.Dispose();
            throw OnnxSession.Invalid(path, e.Message, e);
        }
    }

    /// <summary>
    /// The core call: runs <paramref name="batchSize"/> samples (<see cref="SampleSize"/> values each, row-major, as the
    /// input takes them — see <see cref="PreparePixels"/>) and writes <c>batchSize × ClassCount</c> values into
    /// <paramref name="outputs"/>: logits, or probabilities when <see cref="OutputsProbabilities"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The spans are too short, or the batch size does not fit the model.</exception>
    /// <exception cref="ObjectDisposedException">The classifier was disposed.</exception>
    public void Run(ReadOnlySpan<float> inputs, int batchSize, Span<float> outputs) => _session.Run(inputs, batchSize, outputs);

    /// <summary>Runs a batch and returns a new array of <c>batchSize × ClassCount</c> logits.</summary>
    /// <exception cref="InvalidOperationException">The model outputs probabilities (exported with a softmax output), so its logits are not available.</exception>
    public float[] PredictLogits(ReadOnlySpan<float> inputs, int batchSize)
    {
        if (OutputsProbabilities)
            throw new InvalidOperationException($"Model '{Path}' outputs probabilities (it was exported with a softmax output), not logits; call PredictProbabilities or Run.");
        var logits = new float[(long)batchSize * ClassCount];
        Run(inputs, batchSize, logits);
        return logits;
    }

    /// <summary>Runs a batch and writes <c>batchSize × ClassCount</c> class probabilities into <paramref name="probabilities"/>
    /// (the softmax of the logits, or the graph's output for a model exported with a softmax output).</summary>
    public void PredictProbabilities(ReadOnlySpan<float> inputs, int batchSize, Span<float> probabilities)
    {
        Run(inputs, batchSize, probabilities);
        if (OutputsProbabilities) return;
        for (int i = 0; i < batchSize; i++)
            ClassifierMath.Softmax(probabilities.Slice(i * ClassCount, ClassCount));
    }

    /// <summary>Runs a batch and returns a new array of <c>batchSize × ClassCount</c> class probabilities.</summary>
    public float[] PredictProbabilities(ReadOnlySpan<float> inputs, int batchSize)
    {
        var probabilities = new float[(long)batchSize * ClassCount];
        PredictProbabilities(inputs, batchSize, probabilities);
        return probabilities;
    }

    /// <summary>
    /// Turns raw pixels (0–255, the model's layout) into the values the model's input takes: normalized with
    /// <see cref="Normalization"/>, or as they are when the graph normalizes them itself.
    /// </summary>
    public void PreparePixels(ReadOnlySpan<byte> pixels, Span<float> inputs) => InputPreparation.Prepare(pixels, inputs, Description);

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
            PredictProbabilities(inputs.AsSpan(0, count * SampleSize), count, outputs);
            var predictions = new Prediction[count];
            for (int i = 0; i < count; i++)
            {
                var probabilities = outputs.AsSpan(i * ClassCount, ClassCount).ToArray();
                int best = ClassifierMath.ArgMax(probabilities);
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

    /// <summary>Releases the ONNX Runtime session.</summary>
    public void Dispose() => _session.Dispose();
}
