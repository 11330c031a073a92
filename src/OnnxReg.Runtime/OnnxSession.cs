using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using OnnxReg.Data;

namespace OnnxReg.Runtime;

/// <summary>
/// An ONNX Runtime session over a classifier graph — one float input [N, …sample] and one float output [N, classes] —
/// with one <see cref="OrtBinding"/> per thread, so calls run on the caller's memory without copies or per-call
/// allocation and many threads may call at once. Owns the session: dispose it to free the native memory.
/// </summary>
internal sealed class OnnxSession : IDisposable
{
    private readonly InferenceSession _session;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly int _fixedBatchSize;
    // Shared by all calls: RunOptions holds no per-run state unless a caller sets a tag or terminate flag, which we never do.
    private readonly RunOptions _runOptions = new();
    private readonly ThreadLocal<OrtBinding?> _bindings = new(trackAllValues: true);
    private bool _disposed;

    /// <summary>Checks that <paramref name="session"/> is a classifier and takes ownership of it (also when the check fails).</summary>
    public OnnxSession(string path, InferenceSession session)
    {
        _session = session;
        Path = path;
        try
        {
            var (inputName, input) = SingleTensor(path, "input", session.InputMetadata);
            var (outputName, output) = SingleTensor(path, "output", session.OutputMetadata);
            _inputNames = [inputName];
            _outputNames = [outputName];
            InputName = inputName;
            OutputName = outputName;
            if (input.Dimensions.Length < 2)
                throw Invalid(path, $"its input '{inputName}' has rank {input.Dimensions.Length}; a classifier takes a batch dimension plus at least one more");
            if (input.Dimensions.Skip(1).Any(d => d <= 0))
                throw Invalid(path, $"its input '{inputName}' has shape {FormatShape(input)}; only the batch dimension may be symbolic");
            if (input.Dimensions[0] == 0)
                throw Invalid(path, $"its input '{inputName}' declares a batch of 0 images, which nothing can be fed to; export it with a dynamic or positive batch");
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
            // A fixed batch is allocated whole on every call: 31 KB of model declaring a batch of 2,000,000 would ask
            // for gigabytes (and overflowed int32 sizes), so the whole call is bounded, not only one sample.
            if (_fixedBatchSize > 0 && (long)_fixedBatchSize * Math.Max(SampleSize, ClassCount) > maxValues)
                throw Invalid(path, string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"its input '{inputName}' has a fixed batch of {_fixedBatchSize:N0}: {(long)_fixedBatchSize * Math.Max(SampleSize, ClassCount):N0} values per call, more than {maxValues:N0} ({ResourceLimits.HowToRaise(ResourceLimits.MaxModelInputValuesVariable)}); export it with a dynamic batch"));
            Metadata = session.ModelMetadata.CustomMetadataMap;
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Path { get; }
    public string InputName { get; }
    public string OutputName { get; }
    public IReadOnlyList<int> SampleShape { get; }
    public int SampleSize { get; }
    public int ClassCount { get; }
    public int? FixedBatchSize => _fixedBatchSize > 0 ? _fixedBatchSize : null;
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Runs <paramref name="batchSize"/> samples from <paramref name="inputs"/> and writes the graph's output into <paramref name="outputs"/>.</summary>
    public unsafe void Run(ReadOnlySpan<float> inputs, int batchSize, Span<float> outputs)
    {
        if (_disposed)
            throw new ObjectDisposedException(nameof(OnnxClassifier), $"The classifier of '{Path}' was disposed; load the model again to predict with it.");
        if (batchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "Batch size must be at least 1.");
        if (_fixedBatchSize > 0 && batchSize != _fixedBatchSize)
            throw new ArgumentException($"Model '{Path}' was exported with a fixed batch size of {_fixedBatchSize}; received a batch of {batchSize}. Re-export with a dynamic batch or send batches of {_fixedBatchSize}.", nameof(batchSize));
        long inputLength = (long)batchSize * SampleSize;
        long outputLength = (long)batchSize * ClassCount;
        if (inputs.Length != inputLength)
            throw new ArgumentException($"Model '{Path}' input '{InputName}' expects [{batchSize}, {string.Join(", ", SampleShape)}] = {inputLength} values; received {inputs.Length}.", nameof(inputs));
        if (outputs.Length < outputLength)
            throw new ArgumentException($"The output buffer holds {outputs.Length} values; {outputLength} are needed.", nameof(outputs));

        fixed (float* input = inputs)
        fixed (float* output = outputs)
        {
            var binding = _bindings.Value;
            if (binding is null || !binding.Describes((nint)input, (nint)output, batchSize))
            {
                binding?.Dispose();
                binding = _bindings.Value = new OrtBinding((nint)input, (nint)output, batchSize, SampleShape, ClassCount);
            }
            try
            {
                _session.Run(_runOptions, _inputNames, binding.Inputs, _outputNames, binding.Outputs);
            }
            catch (OnnxRuntimeException e) when (InferenceMemory.IsOutOfMemory(e))
            {
                throw new OnnxRegException(InferenceMemory.Describe(Path), e);
            }
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
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

    internal static InvalidDataException Invalid(string path, string problem, Exception? inner = null) =>
        new($"'{path}' is not a usable ONNX classifier: {problem}.", inner);
}
