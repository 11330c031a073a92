namespace OnnxReg.Tests.Shared;

/// <summary>A process's memory as Linux's <c>/proc/PID/status</c> reports it. Linked into the test projects that measure
/// memory; the tests that use it run on Linux only.</summary>
public static class ProcessMemory
{
    /// <summary>A size field of <c>/proc/PID/status</c> (e.g. <c>VmRSS</c>, the resident memory now, or <c>VmHWM</c>, its
    /// high-water mark) in bytes, for this process or the one given; 0 once that process has exited (the kernel drops
    /// the memory fields of a process that has exited and not been reaped yet, and the whole file once it is).</summary>
    public static long StatusBytes(string field, int? processId = null)
    {
        string path = processId is { } id ? $"/proc/{id}/status" : "/proc/self/status";
        try
        {
            foreach (var line in File.ReadLines(path))
                if (line.StartsWith(field + ":", StringComparison.Ordinal))
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024; // the kernel writes kB
        }
        catch (IOException) when (processId is not null) { return 0; } // the process was reaped while being read
        // This process always has its memory fields, so a missing one is a misspelt name, not a 0 to measure against.
        return processId is not null ? 0 : throw new InvalidOperationException($"{path} has no {field} field");
    }

    /// <summary>Resets this process's high-water mark (VmHWM) to its resident memory now, so a later
    /// <c>StatusBytes("VmHWM")</c> measures only what came after.</summary>
    public static void ResetPeak() => File.WriteAllText("/proc/self/clear_refs", "5");
}
