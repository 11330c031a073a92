namespace OnnxReg.Cli;

/// <summary>Formats an <c>onnxreg</c> command line so it can be pasted into a POSIX shell and run again.</summary>
public static class CommandLine
{
    /// <summary><c>onnxreg</c> followed by the arguments, single-quoted where the shell would split or expand them.</summary>
    public static string Format(IEnumerable<string> arguments) =>
        string.Join(" ", new[] { "onnxreg" }.Concat(arguments.Select(Quote)));

    private static string Quote(string argument) =>
        argument.Length > 0 && argument.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:,@+".Contains(c))
            ? argument
            : "'" + argument.Replace("'", "'\\''") + "'";
}
