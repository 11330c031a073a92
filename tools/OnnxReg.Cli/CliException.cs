namespace OnnxReg.Cli;

/// <summary>A failure the command line reports as one line, with the message as given.</summary>
public sealed class CliException(string message) : Exception(message);
