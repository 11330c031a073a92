using OnnxReg.Onnx;
using static TorchSharp.torch;

namespace OnnxReg.Export.Emitters;

/// <summary>What an emitter sees: the graph being built, where the module sits, its traced shapes, the export
/// options, and a way to emit child modules (for containers such as Sequential and residual blocks).</summary>
public sealed class EmitContext
{
    private readonly Func<nn.Module, string, string, string> _emitChild;

    internal EmitContext(OnnxGraphBuilder builder, string path, long[] inputShape, long[] outputShape, ExportOptions options,
        Func<nn.Module, string, string, string> emitChild)
    {
        Builder = builder;
        Path = path;
        InputShape = inputShape;
        OutputShape = outputShape;
        Options = options;
        _emitChild = emitChild;
    }

    /// <summary>The graph under construction.</summary>
    public OnnxGraphBuilder Builder { get; }

    /// <summary>The module's dotted path in the model (e.g. <c>features.conv1</c>), used for node and weight names.</summary>
    public string Path { get; }

    /// <summary>The module's input shape as traced with a batch of one (batch dimension included).</summary>
    public long[] InputShape { get; }

    /// <summary>The module's output shape as traced with a batch of one.</summary>
    public long[] OutputShape { get; }

    /// <summary>The export options.</summary>
    public ExportOptions Options { get; }

    /// <summary>Emits <paramref name="child"/> (named <paramref name="name"/> under this module's path) on the value
    /// <paramref name="input"/> and returns its output value.</summary>
    public string EmitChild(nn.Module child, string name, string input) => _emitChild(child, name, input);

    /// <summary>Adds a scalar float constant; returns its name.</summary>
    public string Scalar(string name, float value) => Builder.AddInitializer($"{Path}.{name}", [value], []);
}
