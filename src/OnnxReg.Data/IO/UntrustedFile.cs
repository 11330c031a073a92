using System.Text;

namespace OnnxReg.Data.IO;

/// <summary>
/// Opens files that may come from a stranger: only regular files (never a named pipe, a device or a socket, whose
/// reads block or never end), with their size checked against a limit before anything is read.
/// </summary>
internal static class UntrustedFile
{
    /// <summary>Throws unless <paramref name="path"/> is a regular file (links followed).</summary>
    /// <param name="path">The file.</param>
    /// <param name="what">What the file is, for the message ("configuration file").</param>
    /// <exception cref="FileNotFoundException">Nothing is there.</exception>
    /// <exception cref="InvalidDataException">It is a folder, pipe, device or socket.</exception>
    public static void RequireRegular(string path, string what)
    {
        var kind = FileKinds.Of(path);
        if (kind == FileKind.Missing)
            throw new FileNotFoundException($"The {what} '{path}' does not exist.", path);
        if (kind != FileKind.Regular)
            throw new InvalidDataException($"The {what} '{path}' is {FileKinds.Describe(kind)}, not a regular file; only regular files are read. Give the path of a file.");
    }

    /// <summary>Opens a regular file for reading after checking its size against <paramref name="maxBytes"/>.</summary>
    /// <exception cref="FileNotFoundException">Nothing is there.</exception>
    /// <exception cref="InvalidDataException">It is not a regular file, or it is larger than <paramref name="maxBytes"/>.</exception>
    public static FileStream OpenRead(string path, string what, long maxBytes, string limitVariable)
    {
        var stream = NoFollowFile.OpenReadRegular(path, what); // checked on the handle: a FIFO swapped in cannot block it
        if (stream.Length > maxBytes)
        {
            long length = stream.Length;
            stream.Dispose();
            throw new InvalidDataException($"The {what} '{path}' is {length:N0} bytes; at most {maxBytes:N0} are read ({ResourceLimits.HowToRaise(limitVariable)}).");
        }
        return stream;
    }

    /// <summary>Reads a regular text file of at most <see cref="ResourceLimits.MaxTextFileBytes"/> (UTF-8).</summary>
    /// <exception cref="FileNotFoundException">Nothing is there.</exception>
    /// <exception cref="InvalidDataException">It is not a regular file, or it is too large.</exception>
    public static string ReadAllText(string path, string what)
    {
        using var stream = OpenRead(path, what, ResourceLimits.MaxTextFileBytes, ResourceLimits.MaxTextFileBytesVariable);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// <summary>The non-empty, trimmed lines of a regular text file (see <see cref="ReadAllText"/>).</summary>
    public static string[] ReadLines(string path, string what) =>
        ReadAllText(path, what).Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
}
