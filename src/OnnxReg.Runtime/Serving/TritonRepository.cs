using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using OnnxReg.Data;

namespace OnnxReg.Runtime.Serving;

/// <summary>What <see cref="TritonRepository.Write"/> wrote.</summary>
/// <param name="ModelFolder">The model's folder in the repository (<c>REPOSITORY/NAME</c>).</param>
/// <param name="Name">The model name Triton serves it under.</param>
/// <param name="Config">The text of <c>config.pbtxt</c>.</param>
public sealed record TritonModel(string ModelFolder, string Name, string Config);

/// <summary>
/// Writes an exported classifier as a model of a Triton Inference Server model repository, for Triton's ONNX Runtime
/// backend: <c>NAME/1/model.onnx</c> (the file, byte for byte), <c>NAME/config.pbtxt</c> (platform, the input and
/// output with their real names, element types and shapes, the batch policy) and <c>NAME/labels.txt</c> (the class
/// names, so Triton's classification extension returns names).
/// </summary>
/// <example>
/// <code>
/// TritonRepository.Write("models/cnn-regularized.onnx", "triton-models", name: "fashion");
/// // docker run --rm -p8000:8000 -v $PWD/triton-models:/models nvcr.io/nvidia/tritonserver:24.08-py3 tritonserver --model-repository=/models
/// </code>
/// </example>
public static class TritonRepository
{
    /// <summary>The largest batch Triton may form from queued requests for a model with a dynamic batch dimension.</summary>
    public const int DefaultMaxBatchSize = 64;

    private static readonly Regex ValidName = new(@"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}\z", RegexOptions.CultureInvariant);

    /// <summary>
    /// Adds the model at <paramref name="modelPath"/> to the repository at <paramref name="repository"/> (created if
    /// missing) as <c>NAME</c>, version 1. The model folder appears complete or not at all; an existing one is never replaced.
    /// </summary>
    /// <param name="modelPath">An ONNX classifier (one float input with a batch dimension, one [N, classes] output).</param>
    /// <param name="repository">The model repository folder Triton is started with (<c>--model-repository</c>).</param>
    /// <param name="name">The model name (letters, digits, <c>_ . -</c>; at most 64); default: the file name without extension.</param>
    /// <param name="maxBatchSize">For a model with a dynamic batch: the largest batch Triton forms (dynamic batching on).
    /// A model exported with a fixed batch is written with <c>max_batch_size: 0</c> and its full shape.</param>
    /// <exception cref="ArgumentException">The name is not a valid model name, or <paramref name="maxBatchSize"/> is below 1.</exception>
    /// <exception cref="IOException">The repository already holds a model of that name (remove it, or choose another name).</exception>
    /// <exception cref="InvalidDataException">The file is not a usable classifier, or a class name holds a line break.</exception>
    public static TritonModel Write(string modelPath, string repository, string? name = null, int maxBatchSize = DefaultMaxBatchSize)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelPath);
        ArgumentException.ThrowIfNullOrWhiteSpace(repository);
        name ??= Path.GetFileNameWithoutExtension(modelPath);
        if (!ValidName.IsMatch(name))
            throw new ArgumentException($"'{PrintableText.Escape(name)}' is not a usable Triton model name: use letters, digits, '_', '.' and '-' (at most 64, starting with a letter or digit).", nameof(name));
        if (maxBatchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(maxBatchSize), maxBatchSize, "The maximum batch size must be at least 1.");

        string config, labels;
        using (var classifier = OnnxClassifier.Load(modelPath))
        {
            config = Config(classifier, name, maxBatchSize);
            if (classifier.ClassNames.FirstOrDefault(n => n.Any(char.IsControl)) is { } bad)
                throw new InvalidDataException($"'{modelPath}' has a class name with a control character ('{PrintableText.Escape(bad)}'); labels.txt holds one name per line.");
            labels = string.Join('\n', classifier.ClassNames) + "\n";
        }

        Directory.CreateDirectory(repository);
        var folder = Path.Combine(repository, name);
        if (Path.Exists(folder))
            throw new IOException($"The Triton repository '{repository}' already has a model '{name}'; remove '{folder}' or choose another name.");
        // Built beside its final place and renamed in one step, so Triton (which may be polling the repository)
        // never loads a half-written model.
        var staging = Path.Combine(repository, $".{name}.{Guid.NewGuid():N}.tmp");
        try
        {
            Directory.CreateDirectory(Path.Combine(staging, "1"));
            File.Copy(modelPath, Path.Combine(staging, "1", "model.onnx"));
            File.WriteAllText(Path.Combine(staging, "config.pbtxt"), config, new UTF8Encoding(false));
            File.WriteAllText(Path.Combine(staging, "labels.txt"), labels, new UTF8Encoding(false));
            Directory.Move(staging, folder);
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }
        return new TritonModel(folder, name, config);
    }

    /// <summary>The <c>config.pbtxt</c> text for <paramref name="classifier"/> served as <paramref name="name"/>.</summary>
    public static string Config(OnnxClassifier classifier, string name, int maxBatchSize = DefaultMaxBatchSize)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        // With max_batch_size > 0 Triton adds the batch dimension itself, so dims are one sample's; a fixed-batch
        // model declares its whole shape with max_batch_size 0.
        bool fixedBatch = classifier.FixedBatchSize is not null;
        int[] inputDims = fixedBatch ? [classifier.FixedBatchSize!.Value, .. classifier.SampleShape] : classifier.SampleShape.ToArray();
        int[] outputDims = fixedBatch ? [classifier.FixedBatchSize!.Value, classifier.ClassCount] : [classifier.ClassCount];
        static string Dims(IEnumerable<int> dims) => "[ " + string.Join(", ", dims.Select(d => d.ToString(CultureInfo.InvariantCulture))) + " ]";
        var text = new StringBuilder()
            .Append("name: \"").Append(name).Append("\"\n")
            .Append("platform: \"onnxruntime_onnx\"\n")
            .Append("max_batch_size: ").Append(fixedBatch ? 0 : maxBatchSize).Append('\n')
            .Append("input [\n  {\n    name: \"").Append(Quoted(classifier.InputName)).Append("\"\n    data_type: TYPE_FP32\n    dims: ").Append(Dims(inputDims)).Append("\n  }\n]\n")
            .Append("output [\n  {\n    name: \"").Append(Quoted(classifier.OutputName)).Append("\"\n    data_type: TYPE_FP32\n    dims: ").Append(Dims(outputDims))
            .Append("\n    label_filename: \"labels.txt\"\n  }\n]\n");
        if (!fixedBatch) text.Append("dynamic_batching { }\n");
        return text.ToString();
    }

    // Protobuf text-format string escaping for names taken from the file.
    private static string Quoted(string value) => value.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n");
}
