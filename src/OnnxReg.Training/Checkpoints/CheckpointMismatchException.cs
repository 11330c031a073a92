using OnnxReg.Data;

namespace OnnxReg.Training.Checkpoints;

/// <summary>A checkpoint that is intact but cannot serve: it belongs to another configuration, data or network, or holds
/// no trained weights yet. The message says which.</summary>
public sealed class CheckpointMismatchException(string message) : OnnxRegException(message);
