namespace OnnxReg.Data;

/// <summary>
/// The base of OnnxReg's domain failures: conditions a caller is expected to meet and may handle — a network that
/// cannot be exported, an export that does not match the trained network, a checkpoint from another run, a run that
/// diverged, a limit set wrongly. Their messages are written for people. Bad arguments are
/// <see cref="ArgumentException"/>s and damaged files <see cref="InvalidDataException"/>s, as in .NET; any other
/// exception that leaves OnnxReg is a bug.
/// </summary>
public class OnnxRegException : Exception
{
    /// <summary>A failure with a message for people.</summary>
    public OnnxRegException(string message) : base(message)
    {
    }

    /// <summary>A failure with a message for people and the exception that caused it.</summary>
    public OnnxRegException(string message, Exception? innerException) : base(message, innerException)
    {
    }
}
