using System.Diagnostics;

namespace OnnxReg.Data.Tests;

/// <summary>Makes named pipes and character devices in a test folder (tests run as root, as CI does).</summary>
public static class SpecialFiles
{
    public static string Fifo(string path) => Make(path, "mkfifo", path);

    /// <summary>A character device with /dev/null's numbers (1, 3), made inside the test folder so nothing real is at risk.</summary>
    public static string NullDevice(string path) => Make(path, "mknod", path, "c", "1", "3");

    private static string Make(string path, string tool, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(tool) { ArgumentList = { }, UseShellExecute = false, RedirectStandardError = true }.With(args))!;
        process.WaitForExit();
        Assert.That(process.ExitCode, Is.EqualTo(0), $"{tool} failed: {process.StandardError.ReadToEnd()} (these tests run as root)");
        return path;
    }

    private static ProcessStartInfo With(this ProcessStartInfo info, string[] args)
    {
        foreach (var arg in args) info.ArgumentList.Add(arg);
        return info;
    }
}
