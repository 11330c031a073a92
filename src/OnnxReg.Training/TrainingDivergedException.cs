using OnnxReg.Data;

namespace OnnxReg.Training;

/// <summary>Training diverged (a NaN, infinite or exploded loss) and left no epoch worth keeping.</summary>
public sealed class TrainingDivergedException(string message) : OnnxRegException(message);
