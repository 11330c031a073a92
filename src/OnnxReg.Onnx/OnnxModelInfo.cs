namespace OnnxReg.Onnx;

/// <summary>Model-level fields written by <see cref="OnnxGraphBuilder.Build"/>.</summary>
/// <param name="IrVersion">The ONNX IR version declared (8 by default: read by ONNX Runtime 1.10 and later).</param>
/// <param name="Opset">The default-domain (ai.onnx) opset version the nodes follow.</param>
/// <param name="ProducerName">The producing tool.</param>
/// <param name="ProducerVersion">The producing tool's version.</param>
/// <param name="Metadata">Free-form <c>metadata_props</c>; written sorted by key.</param>
/// <param name="DocString">An optional human-readable description.</param>
public sealed record OnnxModelInfo(
    long IrVersion,
    long Opset,
    string ProducerName,
    string ProducerVersion,
    IReadOnlyDictionary<string, string> Metadata,
    string? DocString = null);
