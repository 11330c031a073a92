using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using OnnxReg.Tests.Shared;

namespace OnnxReg.Cli.Tests;

/// <summary>Runs <c>onnxreg</c> as a separate process (built next to the tests), so a test can kill it or send it SIGINT.</summary>
public sealed class ChildCli : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly ConcurrentQueue<string> _error = new();

    private ChildCli(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) _output.Enqueue(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) _error.Enqueue(e.Data); };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public static ChildCli Start(string workingDirectory, params string[] args) => Start(workingDirectory, null, args);

    /// <summary>Starts it with <paramref name="environment"/> added to this process's environment.</summary>
    public static ChildCli Start(string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "onnxreg.dll"));
        foreach (var arg in args) info.ArgumentList.Add(arg);
        info.Environment["CI"] = "1"; // plain line-per-epoch output
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) info.Environment[name] = value;
        return new ChildCli(new Process { StartInfo = info });
    }

    /// <summary>Runs to completion and returns the exit code with everything printed.</summary>
    public static CliRun Run(string workingDirectory, params string[] args) => Run(workingDirectory, null, args);

    /// <summary>Runs to completion with <paramref name="environment"/> added, and checks that no native library
    /// printed its own warning lines (libtorch's start with <c>[W</c>): every run in the suite says only OnnxReg's words.</summary>
    public static CliRun Run(string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        using var child = Start(workingDirectory, environment, args);
        int code = child.WaitForExit(TimeSpan.FromMinutes(3));
        var run = new CliRun(code, child.Output, child.Error);
        if (environment?.ContainsKey("TORCH_CPP_LOG_LEVEL") != true) AssertNoNativeWarnings(run);
        return run;
    }

    /// <summary>Fails if stderr holds a line a native library printed itself.</summary>
    public static void AssertNoNativeWarnings(CliRun run)
    {
        var native = run.Error.Split('\n').Where(l => l.StartsWith("[W", StringComparison.Ordinal) || l.StartsWith("[E", StringComparison.Ordinal)).ToList();
        Assert.That(native, Is.Empty, $"native lines on stderr:\n{run.Error}");
    }

    /// <summary>
    /// Runs to completion while watching the child's resident memory every 5 ms; past <paramref name="limitBytes"/> it
    /// is killed (so a regression cannot take the machine's memory) and the test fails. Returns the run and the peak.
    /// </summary>
    public static (CliRun Run, long PeakBytes) RunWithinMemory(string workingDirectory, long limitBytes, params string[] args)
    {
        using var child = Start(workingDirectory, args);
        long peak = 0;
        var clock = Stopwatch.StartNew();
        while (!child.HasExited && clock.Elapsed < TimeSpan.FromMinutes(3))
        {
            peak = Math.Max(peak, child.ResidentBytes());
            if (peak > limitBytes)
            {
                child.KillHard();
                Assert.Fail($"onnxreg {string.Join(" ", args)} grew to {peak / (1 << 20)} MiB, past the {limitBytes / (1 << 20)} MiB bound; killed");
            }
            Thread.Sleep(5);
        }
        int code = child.WaitForExit(TimeSpan.FromSeconds(30));
        var run = new CliRun(code, child.Output, child.Error);
        AssertNoNativeWarnings(run);
        return (run, peak);
    }

    // VmRSS from /proc (0 once the process is gone).
    private long ResidentBytes() => ProcessMemory.StatusBytes("VmRSS", _process.Id);

    public bool HasExited => _process.HasExited;
    public string Output => string.Join("\n", _output);
    public string Error => string.Join("\n", _error);

    /// <summary>Waits until a line of standard output starts with <paramref name="prefix"/>, and returns it.</summary>
    public string WaitForLine(string prefix, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            var line = _output.FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
            if (line is not null) return line;
            if (_process.HasExited) Assert.Fail($"onnxreg exited ({_process.ExitCode}) before printing '{prefix}': {Output}\n{Error}");
            Thread.Sleep(10);
        }
        Assert.Fail($"onnxreg printed no line starting '{prefix}' within {timeout}: {Output}");
        return "";
    }

    /// <summary>SIGKILL: the process gets no chance to clean up.</summary>
    public void KillHard() => _process.Kill(entireProcessTree: true);

    /// <summary>SIGINT, as Ctrl+C in a terminal sends.</summary>
    public void Interrupt()
    {
        const int SigInt = 2;
        if (SendSignal(_process.Id, SigInt) != 0)
            Assert.Fail($"kill(SIGINT) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    public int WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            _process.Kill(entireProcessTree: true);
            Assert.Fail($"onnxreg did not exit within {timeout}: {Output}\n{Error}");
        }
        _process.WaitForExit(); // drains the redirected streams
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);
}
