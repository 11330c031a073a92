using OnnxReg.Data;

namespace OnnxReg.Export;

/// <summary>The exported model, run by ONNX Runtime, disagrees with the trained network beyond the tolerance; nothing
/// was written.</summary>
public sealed class ExportMismatchException(string message) : OnnxRegException(message);
