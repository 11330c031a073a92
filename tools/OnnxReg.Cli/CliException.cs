namespace OnnxReg.Cli;

/// <summary>A failure the command line reports as one line, with the message as given (exit 1).</summary>
public class CliException(string message) : Exception(message);

/// <summary>A command line that names what does not exist — an augmentation, a metric, an option — reported as one line
/// and exit 2, as System.CommandLine's own parse errors (an unknown command or choice) are.</summary>
public sealed class CliUsageException(string message) : CliException(message);
