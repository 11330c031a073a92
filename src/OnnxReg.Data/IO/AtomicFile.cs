namespace OnnxReg.Data.IO;

/// <summary>Writes files so that readers see either the old file or the complete new one, never a partial write.</summary>
/// <remarks>
/// Only a regular file is ever replaced: a destination that is a folder, a named pipe, a device or a socket is refused
/// (as root, renaming over <c>/dev/null</c> would replace the device itself). A destination that is a symbolic link
/// is written through: the file it points to is replaced, the link stays.
/// The temporary file is hidden beside the destination and named after it and the writing process
/// (<c>.NAME.PID.GUID.tmp</c>). A process killed mid-write leaves its temporary behind; the next write to the same
/// destination removes temporaries whose process is gone.
/// </remarks>
internal static class AtomicFile
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
        var full = Destination(path);
        var folder = Path.GetDirectoryName(full)!;
        CreateFolder(path, folder);
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
            RequireReplaceable(path, full); // again: the destination may have changed while we wrote
            File.Move(temporary, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temporary); } catch (IOException) { /* best effort: the original error matters more */ }
            throw;
        }
    }

    /// <summary>
    /// Checks, before any work is done, that <paramref name="path"/> can be written: its folder exists or can be
    /// created, accepts new files, and the path itself is missing or a regular file. Commands call it for every output
    /// before a long run, so a bad output path fails in milliseconds instead of after the first epoch.
    /// </summary>
    /// <exception cref="IOException">The path or its folder cannot be written (the message says why).</exception>
    public static void CheckWritable(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = Destination(path);
        var folder = Path.GetDirectoryName(full)!;
        CreateFolder(path, folder);
        // A process killed while probing leaves its probe; the next probe of the same name clears it (a lock file is
        // probed but never written atomically, so nothing else would).
        RemoveAbandonedTemporaries(folder, Path.GetFileName(full));
        var probe = Path.Combine(folder, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None)) { }
        }
        catch (UnauthorizedAccessException)
        {
            throw new IOException($"Cannot write '{path}': the folder '{folder}' does not accept new files (permission denied). Choose a writable location.");
        }
        finally
        {
            try { File.Delete(probe); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    // The file actually replaced: a symbolic link is written through to the file it points to.
    private static string Destination(string path)
    {
        var full = Path.GetFullPath(path);
        if (FileKinds.Of(full, followLinks: false) == FileKind.SymbolicLink)
            full = ConfinedPath.Resolve(full);
        RequireReplaceable(path, full);
        return full;
    }

    private static void RequireReplaceable(string path, string full)
    {
        var kind = FileKinds.Of(full);
        if (kind is not (FileKind.Missing or FileKind.Regular))
            throw new IOException($"Refusing to write '{path}': it is {FileKinds.Describe(kind)}, and only regular files are replaced. Choose a file path.");
    }

    private static void CreateFolder(string path, string folder)
    {
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var blocker = FirstNonFolder(folder);
            throw new IOException(blocker is null
                ? $"Cannot write '{path}': its folder '{folder}' cannot be created ({e.Message}). Choose a writable location."
                : $"Cannot write '{path}': '{blocker}' is {FileKinds.Describe(FileKinds.Of(blocker))}, not a folder. Choose another output path.", e);
        }
    }

    private static string? FirstNonFolder(string folder)
    {
        for (var current = folder; !string.IsNullOrEmpty(current); current = Path.GetDirectoryName(current))
            if (FileKinds.Of(current) is not (FileKind.Missing or FileKind.Directory))
                return current;
        return null;
    }

    // Temporaries of a live process (another writer of the same file, right now) are left alone.
    private static void RemoveAbandonedTemporaries(string folder, string name)
    {
        foreach (var path in Directory.EnumerateFiles(folder, $".{name}.*.tmp"))
        {
            var parts = Path.GetFileName(path)[(name.Length + 2)..].Split('.');
            if (parts.Length != 3 || !int.TryParse(parts[0], out int pid) || IsProcessRunning(pid))
                continue;
            try { File.Delete(path); } catch (IOException) { /* another writer got there first */ } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>Whether process <paramref name="pid"/> is alive (a writer whose leftovers must be left alone).</summary>
    internal static bool IsProcessRunning(int pid)
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
