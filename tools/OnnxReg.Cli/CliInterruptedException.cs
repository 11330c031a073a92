namespace OnnxReg.Cli;

/// <summary>Ctrl+C stopped a command after saving its work; the message says what was kept and how to resume.</summary>
public sealed class CliInterruptedException(string message, Exception inner) : OperationCanceledException(message, inner);
