using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace OnnxReg.Data.IO;

/// <summary>
/// Opens files so that what is checked is what is used (on the handle, never by a second look at the path). Opens (or
/// creates) a file OnnxReg keeps beside its outputs — lock and claim files — without following a symbolic
/// link at its name, and checks what was opened on the handle itself, never by a second look at the path. A link
/// planted at <c>.model.onnx.lock</c> would otherwise be followed, and emptying the lock file would truncate whatever
/// the link points to (as root: any file on the system).
/// </summary>
internal static class NoFollowFile
{
    // .NET's own native shim (libSystem.Native, shipped with every runtime on Unix) takes these platform-neutral flags
    // and maps them to each system's O_* values.
    private const int PAL_O_RDWR = 0x0002, PAL_O_CLOEXEC = 0x0010, PAL_O_CREAT = 0x0020, PAL_O_NOFOLLOW = 0x0200;

    /// <summary>Opens <paramref name="path"/> for reading and writing, creating it if missing.</summary>
    /// <exception cref="IOException">The name is a symbolic link or not a regular file (the message says what it is),
    /// or it cannot be opened.</exception>
    public static FileStream OpenOrCreate(string path, string purpose)
    {
        if (OperatingSystem.IsWindows())
        {
            // Windows creates no symbolic links without privileges; refuse an existing reparse point before opening.
            if (File.Exists(path) && File.GetAttributes(path).HasFlag(FileAttributes.ReparsePoint))
                throw Refused(path, purpose, "a symbolic link");
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        }
        var fd = Native.Open(path, PAL_O_RDWR | PAL_O_CLOEXEC | PAL_O_CREAT | PAL_O_NOFOLLOW, Convert.ToInt32("644", 8));
        if (fd == -1)
        {
            var error = Marshal.GetLastPInvokeError();
            // ELOOP (Linux 40, macOS 62) is what O_NOFOLLOW answers for a link; describe the name in any case.
            var kind = FileKinds.Of(path, followLinks: false);
            if (kind == FileKind.SymbolicLink) throw Refused(path, purpose, "a symbolic link");
            if (kind is not (FileKind.Missing or FileKind.Regular)) throw Refused(path, purpose, FileKinds.Describe(kind));
            throw new IOException($"Cannot open the {purpose} '{PrintableText.Escape(path)}' (error {error}); check the folder's permissions.");
        }
        // What was opened, asked of the handle: a FIFO, device or folder swapped in is refused before any write.
        return RegularStream(fd, path, purpose, FileAccess.ReadWrite, kind => Refused(path, purpose, kind));
    }

    /// <summary>Opens the regular file at <paramref name="path"/> (created if missing) for appending, positioned at its
    /// end, without following a link at its name: a log reopened after an atomic write cannot be redirected by a link
    /// planted in between.</summary>
    /// <exception cref="IOException">The name is a symbolic link or not a regular file, or it cannot be opened.</exception>
    public static FileStream OpenAppend(string path, string purpose)
    {
        var stream = OpenOrCreate(path, purpose);
        stream.Seek(0, SeekOrigin.End);
        return stream;
    }

    /// <summary>
    /// Opens <paramref name="path"/> for reading (links followed, as a user's own paths may be links) and checks on the
    /// handle that it is a regular file. The open does not wait for a writer, so a named pipe swapped in after any
    /// earlier look at the path is refused instead of blocking forever.
    /// </summary>
    /// <exception cref="FileNotFoundException">Nothing is there.</exception>
    /// <exception cref="InvalidDataException">It is a folder, pipe, device or socket.</exception>
    public static FileStream OpenReadRegular(string path, string what)
    {
        if (OperatingSystem.IsWindows()) return File.OpenRead(path);
        int flags = OperatingSystem.IsMacOS() ? 0x0004 | 0x1000000 : 0x0800 | 0x80000; // O_RDONLY | O_NONBLOCK | O_CLOEXEC
        int fd = Native.OpenForReading(path, flags);
        if (fd == -1)
        {
            var kind = FileKinds.Of(path);
            if (kind == FileKind.Missing) throw new FileNotFoundException($"The {what} '{PrintableText.Escape(path)}' does not exist.", path);
            throw new IOException($"Cannot open the {what} '{PrintableText.Escape(path)}' (error {Marshal.GetLastPInvokeError()}); check its permissions.");
        }
        return RegularStream(fd, path, what, FileAccess.Read,
            kind => new InvalidDataException($"The {what} '{PrintableText.Escape(path)}' is {kind}, not a regular file; only regular files are read. Give the path of a file."));
    }

    // Wraps an open descriptor once fstat on it says it is a regular file; otherwise closes it and throws notRegular(kind in words).
    private static FileStream RegularStream(long fd, string path, string what, FileAccess access, Func<string, Exception> notRegular)
    {
        var handle = new SafeFileHandle((IntPtr)fd, ownsHandle: true);
        try
        {
            Span<byte> status = stackalloc byte[512];
            if (Native.FStat(handle, status) != 0) throw new IOException($"Cannot inspect the {what} '{PrintableText.Escape(path)}'.");
            int mode = BitConverter.ToInt32(status[4..8]);
            if ((mode & 0xF000) != 0x8000) throw notRegular(FileKinds.Describe(KindOf(mode)));
            return new FileStream(handle, access);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Whether <paramref name="path"/> still names the file <paramref name="stream"/> has open (same device
    /// and inode): false once it was removed or replaced, e.g. by a lock's previous holder tidying up.</summary>
    public static bool StillNamed(FileStream stream, string path)
    {
        if (OperatingSystem.IsWindows()) return File.Exists(path);
        Span<byte> opened = stackalloc byte[512];
        Span<byte> named = stackalloc byte[512];
        opened.Clear();
        named.Clear();
        if (Native.FStat(stream.SafeFileHandle, opened) != 0 || Native.LStat(path, named) != 0) return false;
        // FileStatus (libSystem.Native) ends with the device, the inode and user flags from byte 88 on, in every
        // runtime version (some have the special-file device between them): equal bytes there mean the same file.
        return opened[4..8].SequenceEqual(named[4..8]) && opened[88..120].SequenceEqual(named[88..120]);
    }

    private static FileKind KindOf(int mode) => (mode & 0xF000) switch
    {
        0x4000 => FileKind.Directory,
        0x1000 => FileKind.NamedPipe,
        0x2000 => FileKind.CharacterDevice,
        0x6000 => FileKind.BlockDevice,
        0xC000 => FileKind.Socket,
        _ => FileKind.Missing,
    };

    private static IOException Refused(string path, string purpose, string what) =>
        new($"Refusing to use the {purpose} '{PrintableText.Escape(path)}': it is {what}, and OnnxReg opens only regular files there. Remove it and run again.");

    private static class Native
    {
        public static int OpenForReading(string path, int flags) => OpenLibc(path, flags);

        [DllImport("libc", EntryPoint = "open", SetLastError = true)]
        private static extern int OpenLibc([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

        public static long Open(string path, int flags, int mode) => OpenCore(path, flags, mode).ToInt64();

        public static int FStat(SafeFileHandle handle, Span<byte> status) => FStatCore(handle, ref MemoryMarshal.GetReference(status));

        [DllImport("libSystem.Native", EntryPoint = "SystemNative_Open", SetLastError = true)]
        private static extern IntPtr OpenCore([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, int mode);

        public static int LStat(string path, Span<byte> status) => LStatCore(path, ref MemoryMarshal.GetReference(status));

        [DllImport("libSystem.Native", EntryPoint = "SystemNative_LStat", SetLastError = true)]
        private static extern int LStatCore([MarshalAs(UnmanagedType.LPUTF8Str)] string path, ref byte status);

        [DllImport("libSystem.Native", EntryPoint = "SystemNative_FStat", SetLastError = true)]
        private static extern int FStatCore(SafeFileHandle fd, ref byte status);
    }
}
