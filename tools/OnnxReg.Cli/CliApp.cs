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

    /// <summary>Exit code of a bug in OnnxReg (an exception no check of the input explains): sysexits' EX_SOFTWARE,
    /// so that a script can tell "fix your input" from "report this".</summary>
    public const int InternalError = 70;

    /// <summary>Exit code after Ctrl+C (128 + SIGINT, as shells report it).</summary>
    public const int Cancelled = 130;

    /// <summary>Exit code when the command line itself cannot be parsed, or names what does not exist (an unknown
    /// command, option, choice, augmentation or metric).</summary>
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
        root.Add(TuneCommand.Create(console));
        root.Add(PredictCommand.Create(console));
        root.Add(CompareCommand.Create(console));
        root.Add(RegressCommand.Create(console));
        root.Add(DatasetCommand.Create(console));
        root.Add(SummaryCommand.Create(console));

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
            error.WriteLine($"onnxreg: {PrintableText.Escape(ParseErrors.Explain(first.Message, command))} (see '{helpHint}')");
            return UsageError;
        }
        if (ParseErrors.MisplacedOption(parse) is { } misplaced)
        {
            var command = parse.CommandResult.Command;
            error.WriteLine($"onnxreg: {misplaced} (see 'onnxreg {command.Name} --help')");
            return UsageError;
        }
        using var signals = InterruptSignals.Listen();
        try
        {
            return parse.InvokeAsync(invocation, signals.Token).GetAwaiter().GetResult();
        }
        catch (CliUsageException e)
        {
            error.WriteLine($"onnxreg: {PrintableText.Escape(e.Message)} (see 'onnxreg {parse.CommandResult.Command.Name} --help')");
            return UsageError;
        }
        catch (CliInterruptedException e)
        {
            error.WriteLine($"onnxreg: {PrintableText.Escape(ErrorMessages.OneLine(e))}");
            return Cancelled;
        }
        catch (OperationCanceledException)
        {
            // Nothing half-written is left (outputs are written atomically, a dataset's partial folder is removed);
            // finished study and tuning runs are kept, so the same command resumes them.
            error.WriteLine("onnxreg: interrupted; nothing half-written was left, and finished study or tuning runs are kept (the same command resumes them)");
            return Cancelled;
        }
        catch (Exception e)
        {
            error.WriteLine(ErrorLine(e));
            if (!IsUserError(e) && Environment.GetEnvironmentVariable(TraceVariable) == "1") error.WriteLine(e.ToString());
            return ExitCodeOf(e);
        }
    }

    /// <summary>The one line a failure is reported as: "error:" for bad input and OnnxReg's domain failures, which
    /// the user can fix; "internal error:" and where to see the trace for anything else (a bug). No .NET type name is
    /// printed: the trace (<see cref="TraceVariable"/>) has it for whoever fixes the bug.</summary>
    internal static string ErrorLine(Exception e) => IsUserError(e)
        ? $"onnxreg: error: {PrintableText.Escape(ErrorMessages.OneLine(e))}"
        : $"onnxreg: internal error: {PrintableText.Escape(ErrorMessages.OneLine(e), 1000)} (a bug in OnnxReg: set {TraceVariable}=1 to see where, and please report it with the command you ran)";

    /// <summary>The exit code of a failure: <see cref="Failure"/> for what the user can fix, <see cref="InternalError"/> for a bug.</summary>
    internal static int ExitCodeOf(Exception e) => IsUserError(e) ? Failure : InternalError;

    private static bool IsUserError(Exception e) => e is ArgumentException or InvalidDataException or IOException
        or UnauthorizedAccessException or OnnxRegException or CliException;

    /// <summary>Set to 1 to print an internal error's full stack trace after its line.</summary>
    public const string TraceVariable = "ONNXREG_TRACE";
}
