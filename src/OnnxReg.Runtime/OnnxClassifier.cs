using System.Buffers;
using Microsoft.ML.OnnxRuntime;
using OnnxReg.Data;
using OnnxReg.Data.IO;

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
/// <see cref="PredictBatch"/> from raw pixels. <c>ImagePrediction</c> in the OnnxReg.Runtime.Images add-on adds image files and streams.
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

    /// <summary>The most bytes <see cref="Load(Stream, OnnxClassifierOptions, string)"/> reads: protobuf cannot describe a
    /// larger ONNX file (external-data models are loaded from their path).</summary>
    public const long MaxModelBytes = int.MaxValue;

    /// <summary>Loads an ONNX classifier from a file.</summary>
    /// <param name="path">The <c>.onnx</c> file.</param>
    /// <param name="options">Threads, graph optimization and execution provider (default: CPU, all optimizations).</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not an ONNX model ONNX Runtime can load, not a classifier (one float input,
    /// one [N, classes] float output), has a malformed description, or is over a limit of <see cref="ResourceLimits"/>.</exception>
    /// <exception cref="OnnxRegException">The execution provider is not in the ONNX Runtime package the app references.</exception>
    public static OnnxClassifier Load(string path, OnnxClassifierOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"Model file '{path}' does not exist.", path);
        string? producerVersion = OnnxFile.CheckLimits(path); // before ONNX Runtime parses metadata it would copy entry by entry
        return Create(path, producerVersion, options, sessionOptions => new InferenceSession(path, sessionOptions));
    }

    /// <summary>Loads an ONNX classifier from its bytes (embedded in the app, read from a database…).</summary>
    /// <param name="model">The whole <c>.onnx</c> file.</param>
    /// <param name="options">As for <see cref="Load(string, OnnxClassifierOptions?)"/>.</param>
    /// <param name="name">What to call the model in messages and <see cref="Path"/>.</param>
    /// <exception cref="InvalidDataException">The bytes are not a usable classifier (as for a file).</exception>
    public static OnnxClassifier Load(byte[] model, OnnxClassifierOptions? options = null, string name = "(in-memory model)")
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        string? producerVersion;
        using (var stream = new MemoryStream(model, writable: false))
            producerVersion = OnnxFile.CheckLimits(stream, name);
        return Create(name, producerVersion, options, sessionOptions => new InferenceSession(model, sessionOptions));
    }

    /// <summary>Loads an ONNX classifier read from <paramref name="stream"/> to its end (at most <see cref="MaxModelBytes"/>).</summary>
    /// <exception cref="InvalidDataException">The stream holds more than <see cref="MaxModelBytes"/> bytes, or not a usable classifier.</exception>
    public static OnnxClassifier Load(Stream stream, OnnxClassifierOptions? options = null, string name = "(stream)")
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var copy = BoundedCopy.Read(stream, MaxModelBytes, cap => TooLarge(name, cap));
        return Load(copy.ToArray(), options, name);
    }

    /// <summary>Reads <paramref name="stream"/> asynchronously (a request body, a blob download), then loads the model.</summary>
    /// <exception cref="InvalidDataException">The stream holds more than <see cref="MaxModelBytes"/> bytes, or not a usable classifier.</exception>
    public static async Task<OnnxClassifier> LoadAsync(Stream stream, OnnxClassifierOptions? options = null, string name = "(stream)", CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var copy = await BoundedCopy.ReadAsync(stream, MaxModelBytes, cap => TooLarge(name, cap), cancellation).ConfigureAwait(false);
        return Load(copy.ToArray(), options, name);
    }

    private static string TooLarge(string name, long cap) =>
        $"'{name}' holds more than {cap:N0} bytes, more than an ONNX protobuf file can; load a model with external data from its path.";

    private static OnnxClassifier Create(string name, string? producerVersion, OnnxClassifierOptions? options, Func<SessionOptions, InferenceSession> open)
    {
        InferenceSession inference;
        using (var sessionOptions = (options ?? new OnnxClassifierOptions()).CreateSessionOptions())
        {
            try
            {
                inference = open(sessionOptions);
            }
            catch (OnnxRuntimeException e) when (InferenceMemory.IsOutOfMemory(e))
            {
                throw new OnnxRegException(InferenceMemory.Describe(name), e); // constant folding at load time asks too
            }
            catch (OnnxRuntimeException e)
            {
                throw OnnxSession.Invalid(name, $"ONNX Runtime cannot load it ({e.Message.Split('\n')[0].Trim()})", e);
            }
        }
        var session = new OnnxSession(name, inference);
        try
        {
            return new OnnxClassifier(session, ModelDescriptionCodec.Decode(session.Metadata, session.ClassCount, producerVersion));
        }
        catch (InvalidDataException e)
        {
            session.Dispose();
            throw OnnxSession.Invalid(name, e.Message, e);
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

    /// <summary>Classifies <paramref name="count"/> images given back to back as raw pixels. A model exported with a
    /// fixed batch size is fed in batches of exactly that size, the last one padded with blank images whose answers
    /// are dropped.</summary>
    public Prediction[] PredictBatch(ReadOnlySpan<byte> pixels, int count)
    {
        if (count < 1 || pixels.Length != (long)count * SampleSize)
            throw new ArgumentException($"Expected {count} images of {SampleSize} pixels ({(long)count * SampleSize} bytes); received {pixels.Length} bytes.", nameof(pixels));
        int batch = FixedBatchSize ?? count;
        var inputs = ArrayPool<float>.Shared.Rent(batch * SampleSize);
        var outputs = ArrayPool<float>.Shared.Rent(batch * ClassCount);
        try
        {
            var predictions = new Prediction[count];
            for (int start = 0; start < count; start += batch)
            {
                int length = Math.Min(batch, count - start);
                if (length < batch) inputs.AsSpan(length * SampleSize, (batch - length) * SampleSize).Clear(); // blank padding only
                PreparePixels(pixels.Slice(start * SampleSize, length * SampleSize), inputs);
                PredictProbabilities(inputs.AsSpan(0, batch * SampleSize), batch, outputs);
                for (int i = 0; i < length; i++)
                {
                    var probabilities = outputs.AsSpan(i * ClassCount, ClassCount).ToArray();
                    int best = ClassifierMath.ArgMax(probabilities);
                    predictions[start + i] = new Prediction(best, ClassNames[best], probabilities, ClassNames);
                }
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
