using System.CommandLine;
using OnnxReg.Cli.Commands;
using OnnxReg.Data;

namespace OnnxReg.Cli;

/// <summary>
/// The <c>onnxreg</c> command line. Every failure is one line on standard error and a non-zero exit code:
/// 2 for a malformed command line, 1 for a bad input or a failed run.
/// </summary>
public static class CliApp
{
    /// <summary>Exit code of a successful run.</summary>
    public const int Success = 0;

    /// <summary>Exit code when the input (data, model, option value) is bad or the run failed.</summary>
    public const int Failure = 1;

    /// <summary>Exit code after Ctrl+C (128 + SIGINT, as shells report it).</summary>
    public const int Cancelled = 130;

    /// <summary>Exit code when the command line itself cannot be parsed.</summary>
    public const int UsageError = 2;

    /// <summary>Parses <paramref name="args"/> and runs the command, writing to the given streams.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var root = new RootCommand("OnnxReg: train regularized networks with TorchSharp, export them to ONNX, and evaluate the exported files with ONNX Runtime.");
        var console = new CliConsole(output, error);
        root.Add(TrainCommand.Create(console));
        root.Add(ExportCommand.Create(console));
        root.Add(EvalCommand.Create(console));
        root.Add(InspectCommand.Create(console));
        root.Add(StudyCommand.Create(console));
        root.Add(PredictCommand.Create(console));
        root.Add(CompareCommand.Create(console));
        root.Add(RegressCommand.Create(console));

        // Signals are ours, not System.CommandLine's (whose handler crashed on a second Ctrl+C): see InterruptSignals.
        var invocation = new InvocationConfiguration
        {
            Output = output, Error = error, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null,
        };
        if (args.Length == 0)
        {
            root.Parse(["--help"]).Invoke(invocation);
            return UsageError;
        }
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            var command = parse.CommandResult.Command;
            var helpHint = command == root ? "onnxreg --help" : $"onnxreg {command.Name} --help";
            // An unknown word explains more than the "required command" error it also causes.
            var first = parse.Errors.FirstOrDefault(e => e.Message.StartsWith("Unrecognized", StringComparison.Ordinal)) ?? parse.Errors[0];
            error.WriteLine($"onnxreg: {OneLine(first.Message)} (see '{helpHint}')");
            return UsageError;
        }
        using var signals = InterruptSignals.Listen();
        try
        {
            return parse.InvokeAsync(invocation, signals.Token).GetAwaiter().GetResult();
        }
        catch (CliInterruptedException e)
        {
            error.WriteLine($"onnxreg: {PrintableText.Escape(OneLine(e.Message))}");
            return Cancelled;
        }
        catch (OperationCanceledException)
        {
            error.WriteLine("onnxreg: cancelled; finished study runs are kept, so running the same command again resumes");
            return Cancelled;
        }
        catch (Exception e) when (IsUserError(e))
        {
            error.WriteLine($"onnxreg: error: {PrintableText.Escape(OneLine(e.Message))}");
            return Failure;
        }
        catch (Exception e)
        {
            error.WriteLine($"onnxreg: internal error: {e.GetType().Name}: {PrintableText.Escape(OneLine(e.Message), 1000)} (please report this with the command you ran)");
            return Failure;
        }
    }

    private static bool IsUserError(Exception e) => e is ArgumentException or InvalidDataException or IOException
        or NotSupportedException or InvalidOperationException or UnauthorizedAccessException or CliException;

    // Joins a message onto one line. ArgumentException appends " (Parameter 'x')" and ArgumentOutOfRangeException
    // "Actual value was …": our messages already name the option and value, so both are dropped.
    internal static string OneLine(string message)
    {
        var lines = message.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Where(l => !l.StartsWith("Actual value was", StringComparison.Ordinal))
            .Select(l => System.Text.RegularExpressions.Regex.Replace(l, @" \(Parameter '[^']*'\)$", ""));
        return string.Join(" ", lines);
    }
}
