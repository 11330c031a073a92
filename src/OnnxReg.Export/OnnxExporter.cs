using System.Reflection;
using OnnxReg.Data;
using OnnxReg.Data.IO;
using OnnxReg.Export.Emitters;
using OnnxReg.Onnx;
using OnnxReg.Onnx.Proto;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace OnnxReg.Export;

/// <summary>
/// Exports a TorchSharp network — an <see cref="Sequential"/>, nested ones included, of supported modules — as
/// an ONNX model computing what the network computes in evaluation mode. Dropout emits no node. The model is
/// switched to evaluation mode for the export and put back in the mode it was in afterwards.
/// </summary>
/// <example>
/// <code>
/// var exporter = new OnnxExporter();
/// exporter.Export(model, sampleShape: [1, 28, 28], "model.onnx",
///     new ExportOptions { ClassNames = FashionMnist.ClassNames, Normalization = normalization });
/// </code>
/// </example>
public sealed class OnnxExporter
{
    private readonly EmitterRegistry _registry;

    /// <summary>Creates an exporter using <paramref name="registry"/> (default: every built-in emitter).</summary>
    public OnnxExporter(EmitterRegistry? registry = null) => _registry = registry ?? EmitterRegistry.CreateDefault();

    /// <summary>The producer version written into every model.</summary>
    public static string ProducerVersion { get; } =
        typeof(OnnxExporter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    /// <summary>Exports <paramref name="model"/> and writes it to <paramref name="path"/> atomically (the file appears complete or not at all).</summary>
    /// <param name="model">The network.</param>
    /// <param name="sampleShape">The shape of one input sample without the batch dimension.</param>
    /// <param name="path">The <c>.onnx</c> file to write.</param>
    /// <param name="options">Export options (defaults when null).</param>
    /// <param name="verify">Optional check of the complete file (given its temporary path) before it replaces
    /// <paramref name="path"/>, e.g. loading it in ONNX Runtime and comparing outputs; if it throws, nothing is replaced.</param>
    /// <returns>The model that was written.</returns>
    public ModelProto Export(nn.Module<Tensor, Tensor> model, IReadOnlyList<long> sampleShape, string path, ExportOptions? options = null, Action<string>? verify = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var proto = Export(model, sampleShape, options);
        // Encoded straight into the temporary file: no second copy of the weights as one byte array.
        AtomicFile.Write(path, stream => OnnxModelSerializer.WriteTo(proto, stream), verify);
        return proto;
    }

    /// <summary>Exports <paramref name="model"/> to an in-memory ONNX model.</summary>
    /// <param name="model">The network; its modules must all have emitters.</param>
    /// <param name="sampleShape">The shape of one input sample without the batch dimension, e.g. [1, 28, 28].</param>
    /// <param name="options">Export options (defaults when null).</param>
    /// <exception cref="ExportNotSupportedException">A module has no emitter or an option ONNX cannot express, or a weight is not finite (the message names the module).</exception>
    /// <exception cref="ArgumentException">The options or sample shape are invalid, or the model rejects the sample shape.</exception>
    /// <exception cref="InvalidOperationException">The built graph fails the structural checks (a bug in an emitter).</exception>
    public ModelProto Export(nn.Module<Tensor, Tensor> model, IReadOnlyList<long> sampleShape, ExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sampleShape);
        options ??= new ExportOptions();
        options.Validate();
        if (sampleShape.Count == 0 || sampleShape.Any(d => d <= 0))
            throw new ArgumentException($"Sample shape must have positive dimensions; received [{string.Join(", ", sampleShape)}].", nameof(sampleShape));
        if (options.Normalization is { IsShared: false } perChannel && (sampleShape.Count != 3 || perChannel.Means.Count != sampleShape[0]))
            throw new ArgumentException($"The normalization has {perChannel.Means.Count} channels; the sample shape [{string.Join(", ", sampleShape)}] must be [C, H, W] with C = {perChannel.Means.Count}.", nameof(sampleShape));

        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            var session = new ExportSession(new OnnxGraphBuilder("onnxreg"), options);
            var batch = options.DynamicBatch ? OnnxDimension.Symbolic("N") : OnnxDimension.Fixed(options.FixedBatchSize);
            var input = session.Builder.AddInput(options.InputName, [batch, .. sampleShape.Select(OnnxDimension.Fixed)]);
            session.Traced[input] = zeros([1, .. sampleShape]);
            if (options.NormalizeInGraph)
                input = session.Trace(NormalizeInGraph(session.Builder, input, options.Normalization!), session.Traced[input]);
            var output = EmitModule(session, model, RootPath(model), input);
            long[] outputShape = session.Traced[output].shape;
            if (options.SoftmaxOutput)
            {
                if (outputShape.Length != 2)
                    throw new ArgumentException($"SoftmaxOutput needs a [N, classes] output; the model's output per batch of one is [{string.Join(", ", outputShape)}].");
                output = session.Builder.AddNode("Softmax", "output.softmax", [output], OnnxAttribute.Int("axis", 1));
            }
            output = NameOutput(session.Builder, output, options.ResolvedOutputName);
            session.Builder.AddOutput(output, [batch, .. outputShape.Skip(1).Select(OnnxDimension.Fixed)]);

            var proto = session.Builder.Build(new OnnxModelInfo(options.IrVersion, options.Opset, "OnnxReg", ProducerVersion,
                Metadata(options, sampleShape, outputShape)));
            InsertMetadata(proto, ModelMetadataKeys.WeightsSha256, OnnxWeights.Sha256(proto.Graph));
            return proto;
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    // Traces each module on the shape-only input tensor (batch of one) so emitters know their shapes, then emits it.
    private string EmitModule(ExportSession session, nn.Module module, string path, string input)
    {
        var emitter = _registry.Find(module.GetType());
        if (emitter is null || module is not nn.Module<Tensor, Tensor> layer)
            throw new ExportNotSupportedException(
                $"No ONNX emitter for '{module.GetType().Name}' at '{(path.Length == 0 ? "(root)" : path)}'. Supported: {string.Join(", ", _registry.SupportedTypeNames)}. Replace the module or register an emitter.");
        var traced = session.Traced[input];
        Tensor output;
        try
        {
            output = layer.forward(traced);
        }
        catch (Exception e) when (e is System.Runtime.InteropServices.ExternalException or ArgumentException)
        {
            // A container's failure is one of its children's: emitting them finds and names the exact module.
            if (module.children().Any())
                emitter.Emit(Context(session, path, traced.shape, traced.shape), module, input);
            throw new ArgumentException(
                $"Module '{module.GetType().Name}' at '{path}' rejects an input of shape [{string.Join(", ", traced.shape)}]: {FirstLine(e.Message)} Check the sample shape passed to the exporter.", e);
        }
        return session.Trace(emitter.Emit(Context(session, path, traced.shape, output.shape), module, input), output);
    }

    private EmitContext Context(ExportSession session, string path, long[] inputShape, long[] outputShape) =>
        new(session.Builder, path, inputShape, outputShape, session.Options,
            (child, name, childInput) => EmitModule(session, child, path.Length == 0 ? name : $"{path}.{name}", childInput));

    // x_normalized = x · 1/(255·std) + (−mean/std): two nodes in front of the network. A shared normalization is two
    // scalars; a per-channel one is [C, 1, 1], which broadcasts over [N, C, H, W].
    private static string NormalizeInGraph(OnnxGraphBuilder builder, string input, Normalization normalization)
    {
        int channels = normalization.Means.Count;
        long[] shape = normalization.IsShared ? [] : [channels, 1, 1];
        var scales = Enumerable.Range(0, channels).Select(c => 1f / (255f * normalization.StdOf(c))).ToArray();
        var offsets = Enumerable.Range(0, channels).Select(c => -normalization.MeanOf(c) / normalization.StdOf(c)).ToArray();
        var scale = builder.AddInitializer("input.scale", scales, shape);
        var offset = builder.AddInitializer("input.offset", offsets, shape);
        return builder.AddNode("Add", "input.normalize", [builder.AddNode("Mul", "input.scale", [input, scale]), offset]);
    }

    /// <summary>One export's state: the graph and the traced tensor of every value emitted so far.</summary>
    private sealed class ExportSession(OnnxGraphBuilder builder, ExportOptions options)
    {
        public OnnxGraphBuilder Builder { get; } = builder;
        public ExportOptions Options { get; } = options;
        public Dictionary<string, Tensor> Traced { get; } = new(StringComparer.Ordinal);

        public string Trace(string value, Tensor traced)
        {
            Traced[value] = traced;
            return value;
        }
    }

    private static string RootPath(nn.Module model) => model is Sequential ? "" : model.GetType().Name.ToLowerInvariant();

    // The last node's output takes the requested name; a model that is the identity gets one Identity node.
    private static string NameOutput(OnnxGraphBuilder builder, string value, string outputName)
    {
        var name = builder.UniqueName(outputName);
        if (name != outputName)
            throw new ArgumentException($"Output name '{outputName}' is already used by a node or weight in this model; choose another OutputName.");
        return builder.RenameLastOutput(value, outputName);
    }

    private static Dictionary<string, string> Metadata(ExportOptions options, IReadOnlyList<long> sampleShape, long[] outputShape)
    {
        if (options.ClassNames is { } classNames && (outputShape.Length != 2 || outputShape[1] != classNames.Count))
            throw new ArgumentException($"{classNames.Count} class names were given but the model's output has shape [{string.Join(", ", outputShape)}] per batch of one.");
        var description = new ModelDescription
        {
            InputShape = [.. sampleShape],
            InputRange = options.NormalizeInGraph ? InputRange.Pixels0To255 : InputRange.Normalized,
            Normalization = options.Normalization,
            Image = options.Image,
            Output = options.SoftmaxOutput ? OutputKind.Probabilities : OutputKind.Logits,
            ClassNames = options.ClassNames,
            TrainingConfiguration = options.TrainingConfiguration,
            Metrics = options.Metrics,
            Command = options.Command,
        };
        var metadata = ModelDescriptionCodec.Encode(description);
        foreach (var (key, value) in options.Metadata) metadata[key] = value;
        return metadata;
    }

    private static void InsertMetadata(ModelProto model, string key, string value)
    {
        int index = 0;
        while (index < model.MetadataProps.Count && string.CompareOrdinal(model.MetadataProps[index].Key, key) < 0) index++;
        model.MetadataProps.Insert(index, new StringStringEntryProto { Key = key, Value = value });
    }

    private static string FirstLine(string message) => message.Split('\n')[0].Trim();
}
