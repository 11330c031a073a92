using OnnxReg.Data;
using OnnxReg.Training.Checkpoints;

namespace OnnxReg.Cli.Tests;

/// <summary>Which failures are the user's to fix and which are bugs, and how each is reported.</summary>
public class ErrorReportingTests
{
    [Test]
    public void DomainFailures_AndBadInput_AreOrdinaryErrors()
    {
        Assert.That(CliApp.ErrorLine(new CheckpointMismatchException("The checkpoint 'm.ckpt' cannot resume this run.")),
            Is.EqualTo("onnxreg: error: The checkpoint 'm.ckpt' cannot resume this run."));
        Assert.That(CliApp.ErrorLine(new Export.ExportMismatchException("The exported model disagrees.")), Does.StartWith("onnxreg: error: "));
        Assert.That(CliApp.ErrorLine(new ArgumentOutOfRangeException("Rate", 2.0, "Rate must be in [0, 1).")), Is.EqualTo("onnxreg: error: Rate must be in [0, 1)."));
        Assert.That(CliApp.ErrorLine(new InvalidDataException("bad\nfile")), Is.EqualTo("onnxreg: error: bad file"));
    }

    [Test]
    public void AnythingElse_IsAnInternalError_WithItsOwnExitCode_AndNoDotNetTypeName()
    {
        // A failing .Single() is a bug, not something the user did: it must not read as an ordinary error.
        var bug = Assert.Throws<InvalidOperationException>(() => Array.Empty<int>().Single())!;
        Assert.That(CliApp.ErrorLine(bug), Is.EqualTo(
            "onnxreg: internal error: Sequence contains no elements (a bug in OnnxReg: set ONNXREG_TRACE=1 to see where, and please report it with the command you ran)"));
        Assert.That(CliApp.ErrorLine(new NotSupportedException("x")), Does.StartWith("onnxreg: internal error: x (a bug").And.Not.Contain("Exception"));
        Assert.That(CliApp.ExitCodeOf(bug), Is.EqualTo(70), "a script tells a bug from bad input by the exit code");
        Assert.That(CliApp.ExitCodeOf(new InvalidDataException("bad file")), Is.EqualTo(1));
        Assert.That(CliApp.ExitCodeOf(new CliException("--lr must be positive")), Is.EqualTo(1));
    }
}
