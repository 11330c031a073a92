namespace OnnxReg.Data.IO;

/// <summary>
/// Reads a stream of unknown length (a network body, an upload) into memory, but never more than a cap: a hostile
/// sender cannot make the reader allocate without bound. The copy is positioned at its start.
/// </summary>
internal static class BoundedCopy
{
    private const int ChunkBytes = 81920;

    /// <param name="stream">Read from its position to its end.</param>
    /// <param name="cap">The most bytes accepted.</param>
    /// <param name="tooLarge">The message when the stream holds more, given the cap.</param>
    /// <exception cref="InvalidDataException">The stream holds more than <paramref name="cap"/> bytes.</exception>
    public static MemoryStream Read(Stream stream, long cap, Func<long, string> tooLarge)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var copy = new MemoryStream();
        var buffer = new byte[ChunkBytes];
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
            Append(copy, buffer, read, cap, tooLarge);
        copy.Position = 0;
        return copy;
    }

    /// <summary>As <see cref="Read"/>, reading asynchronously.</summary>
    public static async Task<MemoryStream> ReadAsync(Stream stream, long cap, Func<long, string> tooLarge, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var copy = new MemoryStream();
        var buffer = new byte[ChunkBytes];
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellation).ConfigureAwait(false)) > 0)
            Append(copy, buffer, read, cap, tooLarge);
        copy.Position = 0;
        return copy;
    }

    private static void Append(MemoryStream copy, byte[] buffer, int read, long cap, Func<long, string> tooLarge)
    {
        if (copy.Length + read > cap)
        {
            copy.Dispose();
            throw new InvalidDataException(tooLarge(cap));
        }
        copy.Write(buffer, 0, read);
    }
}
