using System.Buffers.Binary;

namespace OnnxReg.Data.Images;

/// <summary>
/// Counts the frames of an animated WebP without decoding it: the RIFF container lists one <c>ANMF</c> chunk per
/// frame, and ImageSharp 2.1 decodes every one of them at the full canvas size (it has no first-frame mode for WebP).
/// </summary>
internal static class WebpFrames
{
    private const int MaxChunks = 1 << 20;

    /// <summary>The number of frames (1 for anything that is not an animated WebP). The stream position is left anywhere.</summary>
    public static long Count(Stream stream)
    {
        Span<byte> header = stackalloc byte[12];
        if (stream.ReadAtLeast(header, 12, throwOnEndOfStream: false) < 12
            || !header[..4].SequenceEqual("RIFF"u8) || !header[8..12].SequenceEqual("WEBP"u8))
            return 1;
        long frames = 0;
        Span<byte> chunk = stackalloc byte[8];
        for (int i = 0; i < MaxChunks && stream.ReadAtLeast(chunk, 8, throwOnEndOfStream: false) == 8; i++)
        {
            uint size = BinaryPrimitives.ReadUInt32LittleEndian(chunk[4..]);
            if (chunk[..4].SequenceEqual("ANMF"u8)) frames++;
            long next = stream.Position + size + (size & 1); // chunks are padded to an even length
            if (next > stream.Length) break;
            stream.Position = next;
        }
        return Math.Max(frames, 1);
    }
}
