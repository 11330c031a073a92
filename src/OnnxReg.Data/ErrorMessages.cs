namespace OnnxReg.Data;

/// <summary>The one place that turns an exception's message into the single line OnnxReg shows people.</summary>
internal static class ErrorMessages
{
    /// <summary>
    /// The message on one line, without what .NET appends to argument errors (" (Parameter 'x')" and, for
    /// <see cref="ArgumentOutOfRangeException"/>, an "Actual value was …" line): our messages already name the option
    /// and the value received.
    /// </summary>
    public static string OneLine(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var lines = message.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Where(l => !l.StartsWith("Actual value was", StringComparison.Ordinal))
            .Select(l => System.Text.RegularExpressions.Regex.Replace(l, @" \(Parameter '[^']*'\)$", ""));
        return string.Join(" ", lines);
    }

    /// <summary><see cref="OneLine(string)"/> of the exception's message.</summary>
    public static string OneLine(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return OneLine(exception.Message);
    }
}
