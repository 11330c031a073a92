using System.Runtime.InteropServices;

namespace OnnxReg.Data.IO;

/// <summary>What a path names, as the file system sees it (following symbolic links unless asked not to).</summary>
internal enum FileKind
{
    /// <summary>Nothing exists at the path (or a link points nowhere).</summary>
    Missing,
    /// <summary>A regular file.</summary>
    Regular,
    /// <summary>A directory.</summary>
    Directory,
    /// <summary>A symbolic link (only when links are not followed).</summary>
    SymbolicLink,
    /// <summary>A named pipe (FIFO): reading it waits for a writer, so it is never read.</summary>
    NamedPipe,
    /// <summary>A character device such as <c>/dev/null</c> or <c>/dev/zero</c>.</summary>
    CharacterDevice,
    /// <summary>A block device.</summary>
    BlockDevice,
    /// <summary>A Unix socket.</summary>
    Socket,
}

/// <summary>
/// Tells regular files from pipes, devices and sockets, which .NET's file APIs report alike ("Normal", length 0).
/// Readers refuse what is not a regular file (a named pipe would block forever, <c>/dev/zero</c> never ends), and
/// writers never replace it (renaming over <c>/dev/null</c> as root would replace the device).
/// </summary>
internal static class FileKinds
{
    /// <summary>What <paramref name="path"/> is; links are followed unless <paramref name="followLinks"/> is false.</summary>
    public static FileKind Of(string path, bool followLinks = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (OperatingSystem.IsWindows())
            return Directory.Exists(path) ? FileKind.Directory : File.Exists(path) ? FileKind.Regular : FileKind.Missing;
        // .NET's own native shim (shipped with every runtime on Unix) fills a FileStatus whose second int32 is the
        // mode with POSIX type bits, on every Unix and architecture alike; a generous buffer holds any version's struct.
        Span<byte> status = stackalloc byte[512];
        int result = followLinks ? Native.Stat(path, status) : Native.LStat(path, status);
        if (result != 0) return FileKind.Missing;
        int mode = BitConverter.ToInt32(status[4..8]);
        return (mode & 0xF000) switch
        {
            0x8000 => FileKind.Regular,
            0x4000 => FileKind.Directory,
            0xA000 => FileKind.SymbolicLink,
            0x1000 => FileKind.NamedPipe,
            0x2000 => FileKind.CharacterDevice,
            0x6000 => FileKind.BlockDevice,
            0xC000 => FileKind.Socket,
            _ => FileKind.Missing,
        };
    }

    /// <summary>The kind in words, for messages ("a named pipe").</summary>
    public static string Describe(FileKind kind) => kind switch
    {
        FileKind.Missing => "missing",
        FileKind.Regular => "a regular file",
        FileKind.Directory => "a folder",
        FileKind.SymbolicLink => "a symbolic link",
        FileKind.NamedPipe => "a named pipe (FIFO)",
        FileKind.CharacterDevice => "a character device",
        FileKind.BlockDevice => "a block device",
        FileKind.Socket => "a socket",
        _ => kind.ToString(),
    };

    private static class Native
    {
        public static int Stat(string path, Span<byte> status) => StatCore(path, ref MemoryMarshal.GetReference(status));
        public static int LStat(string path, Span<byte> status) => LStatCore(path, ref MemoryMarshal.GetReference(status));

        [DllImport("libSystem.Native", EntryPoint = "SystemNative_Stat")]
        private static extern int StatCore([MarshalAs(UnmanagedType.LPUTF8Str)] string path, ref byte status);

        [DllImport("libSystem.Native", EntryPoint = "SystemNative_LStat")]
        private static extern int LStatCore([MarshalAs(UnmanagedType.LPUTF8Str)] string path, ref byte status);
    }
}
