namespace OnnxReg.Cli.Tests;

/// <summary>Runs the command line in-process and captures what it prints.</summary>
public sealed record CliRun(int ExitCode, string Output, string Error)
{
    public static CliRun Of(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CliApp.Run(args, output, error);
        return new CliRun(code, output.ToString(), error.ToString());
    }

    /// <summary>Asserts a failure reported as exactly one line with no stack trace, and returns that line.</summary>
    public string AssertOneLineError(int expectedExitCode = CliApp.Failure)
    {
        Assert.That(ExitCode, Is.EqualTo(expectedExitCode), $"stdout: {Output}\nstderr: {Error}");
        var lines = Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(1), $"stderr: {Error}");
        Assert.That(Error, Does.Not.Contain("   at "), "no stack trace");
        Assert.That(lines[0], Does.StartWith("onnxreg: "));
        return lines[0];
    }
}
