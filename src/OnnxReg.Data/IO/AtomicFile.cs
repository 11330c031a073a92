namespace OnnxReg.Data.IO;

/// <summary>Writes files so that readers see either the old file or the complete new one, never a partial write.</summary>
/// <remarks>
/// The temporary file is hidden beside the destination and named after it and the writing process
/// (<c>.NAME.PID.GUID.tmp</c>). A process killed mid-write leaves its temporary behind; the next write to the same
/// destination removes temporaries whose process is gone.
/// </remarks>
public static class AtomicFile
{
    /// <summary>
    /// Writes through <paramref name="write"/> into a temporary file in the destination's folder, flushes it to
    /// disk, then renames it over <paramref name="path"/>. On failure the temporary file is removed and any
    /// previous file at <paramref name="path"/> is left untouched.
    /// </summary>
    /// <param name="path">The destination.</param>
    /// <param name="write">Writes the content.</param>
    /// <param name="verify">Optional check of the complete temporary file (given its path) before it replaces
    /// the destination; throwing from it abandons the write and keeps the previous file.</param>
    public static void Write(string path, Action<Stream> write, Action<string>? verify = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(write);
        var full = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(folder);
        RemoveAbandonedTemporaries(folder, Path.GetFileName(full));
        var temporary = Path.Combine(folder, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            verify?.Invoke(temporary);
            File.Move(temporary, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temporary); } catch (IOException) { /* best effort: the original error matters more */ }
            throw;
        }
    }

    // Temporaries of a live process (another writer of the same file, right now) are left alone.
    private static void RemoveAbandonedTemporaries(string folder, string name)
    {
        foreach (var path in Directory.EnumerateFiles(folder, $".{name}.*.tmp"))
        {
            var parts = Path.GetFileName(path)[(name.Length + 2)..].Split('.');
            if (parts.Length != 3 || !int.TryParse(parts[0], out int pid) || IsRunning(pid))
                continue;
            try { File.Delete(path); } catch (IOException) { /* another writer got there first */ } catch (UnauthorizedAccessException) { }
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return false; // no such process, or it exited while we looked
        }
    }

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> atomically.</summary>
    public static void WriteAllBytes(string path, byte[] bytes, Action<string>? verify = null)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        Write(path, stream => stream.Write(bytes), verify);
    }
}
