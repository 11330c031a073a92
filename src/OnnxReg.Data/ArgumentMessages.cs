namespace OnnxReg.Data;

/// <summary>Error texts of argument checks, for wrapping them in a message about a file, a spec or a technique.</summary>
public static class ArgumentMessages
{
    /// <summary>
    /// The message of <paramref name="exception"/> without what .NET appends from " (Parameter 'x')" on (for an
    /// <see cref="ArgumentOutOfRangeException"/> that includes the "Actual value was …" line after it). Our messages
    /// already name the option and the value received.
    /// </summary>
    public static string Plain(ArgumentException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception.Message.Split(" (Parameter")[0];
    }
}
