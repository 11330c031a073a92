using OnnxReg.Data;

namespace OnnxReg.Export;

/// <summary>The network cannot be exported to ONNX as it is: a module without an emitter, an option ONNX cannot
/// express, or weights that are not finite. The message names the module and what to change.</summary>
public sealed class ExportNotSupportedException(string message) : OnnxRegException(message);
