using OnnxReg.Onnx;

namespace OnnxReg.Export.Emitters;

/// <summary>What an emitter sees: the graph being built, where the module sits, and its input's shape.</summary>
/// <param name="Builder">The graph under construction.</param>
/// <param name="Path">The module's dotted path in the model (e.g. <c>features.conv1</c>), used for node and weight names.</param>
/// <param name="InputShape">The module's input shape as traced with a batch of one (batch dimension included).</param>
/// <param name="OutputShape">The module's output shape as traced with a batch of one.</param>
public sealed record EmitContext(OnnxGraphBuilder Builder, string Path, long[] InputShape, long[] OutputShape);
