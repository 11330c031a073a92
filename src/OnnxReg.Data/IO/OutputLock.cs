using System.Globalization;
using System.Text;

namespace OnnxReg.Data.IO;

/// <summary>
/// An advisory lock on an output path, held while a run writes it (and the files that go with it), so that two
/// processes never interleave their results: the second is told which process holds the path and since when.
/// The lock is a byte-range lock on a hidden file beside the output (<c>.NAME.lock</c>), released by the operating
/// system when the holder exits, however it exits. The file is opened without following links and checked on its
/// handle (<see cref="NoFollowFile"/>), so a link planted at its name is refused rather than written through. A holder
/// that finishes removes the file; a process that took the lock checks afterwards that the name still names the file
/// it locked (a holder may have removed it in between) and tries again if not, so removal never lets two hold it.
/// A file left by a killed holder is not a lock: the next run takes it.
/// </summary>
internal sealed class OutputLock : IDisposable
{
    private readonly FileStream _stream;
    private readonly string _lockPath;

    private OutputLock(FileStream stream, string path, string lockPath)
    {
        _stream = stream;
        _lockPath = lockPath;
        Path = path;
    }

    /// <summary>The output path this lock guards.</summary>
    public string Path { get; }

    /// <summary>Takes the lock on <paramref name="path"/> or fails at once, naming its holder.</summary>
    /// <param name="path">The output the caller is about to write.</param>
    /// <param name="owner">What holds it, in words (the command line), shown to a second writer.</param>
    /// <exception cref="IOException">Another process holds the lock, or the lock file cannot be made.</exception>
    public static OutputLock Acquire(string path, string owner) =>
        TryAcquire(path, owner, out var holder)
        ?? throw new IOException($"'{path}' is being written by another run ({(holder.Length > 0 ? holder : "holder unknown")}); wait for it to finish, or choose another output path.");

    /// <summary>Takes the lock on <paramref name="path"/>, or returns null when another process holds it.</summary>
    /// <param name="path">The output the caller is about to write.</param>
    /// <param name="owner">What holds it, in words, shown to others.</param>
    /// <param name="holder">When null is returned: the holder's record (escaped), or empty.</param>
    /// <exception cref="IOException">The lock file cannot be made.</exception>
    public static OutputLock? TryAcquire(string path, string owner, out string holder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        holder = "";
        var full = System.IO.Path.GetFullPath(path);
        var lockPath = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(full)!, $".{System.IO.Path.GetFileName(full)}.lock");
        AtomicFile.CheckWritable(lockPath);
        for (int attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var stream = NoFollowFile.OpenOrCreate(lockPath, "lock file");
            try
            {
                try
                {
                    if (!OperatingSystem.IsMacOS()) stream.Lock(0, 1); // .NET has no byte-range locks on macOS: no lock there
                }
                catch (IOException)
                {
                    holder = ReadHolder(stream);
                    stream.Dispose();
                    return null;
                }
                if (!NoFollowFile.StillNamed(stream, lockPath))
                {
                    stream.Dispose(); // the previous holder removed it as we opened it: take the new one
                    continue;
                }
                // The record starts past the locked byte so writing it never touches the lock itself.
                var record = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
                    $"process {Environment.ProcessId}, since {DateTime.UtcNow:yyyy-MM-ddTHH:mm:ssZ}: {owner}"));
                stream.SetLength(1);
                stream.Position = 1;
                stream.Write(record);
                stream.Flush();
                return new OutputLock(stream, path, lockPath);
            }
            catch
            {
                stream.Dispose();
                throw;
            }
        }
        throw new IOException($"Could not take the lock on '{PrintableText.Escape(path)}': its lock file '{PrintableText.Escape(lockPath)}' kept being replaced. Run again.");
    }

    private const int MaxAttempts = 16;

    // At most 1 KB of the holder's record, with control characters escaped (the file is anyone's to write).
    private static string ReadHolder(FileStream stream)
    {
        var buffer = new byte[1024];
        stream.Position = 1;
        int read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        return PrintableText.Escape(Encoding.UTF8.GetString(buffer, 0, read));
    }

    /// <summary>Releases the lock and removes its file (while still holding it, so no one else can be using it).</summary>
    public void Dispose()
    {
        try
        {
            if (!OperatingSystem.IsWindows() && NoFollowFile.StillNamed(_stream, _lockPath)) File.Delete(_lockPath);
            else _stream.SetLength(1);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* releasing matters more than tidying */ }
        _stream.Dispose();
    }
}
