using System.Buffers.Binary;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace OnnxReg.Tests.Shared;

/// <summary>Decompression bombs for tests: tiny files that declare huge canvases or many frames.</summary>
public static class ImageBombs
{
    /// <summary>A GIF with an <paramref name="width"/> × <paramref name="height"/> canvas and <paramref name="frames"/> one-pixel frames (about 25 bytes each).</summary>
    public static byte[] AnimatedGif(int width, int height, int frames)
    {
        using var stream = new MemoryStream();
        stream.Write("GIF89a"u8);
        Span<byte> size = stackalloc byte[4];
        BinaryPrimitives.WriteUInt16LittleEndian(size, (ushort)width);
        BinaryPrimitives.WriteUInt16LittleEndian(size[2..], (ushort)height);
        stream.Write(size);
        stream.Write([0x80, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00]); // 2-colour global table
        for (int f = 0; f < frames; f++)
        {
            stream.Write([0x21, 0xF9, 0x04, 0x00, 0x01, 0x00, 0x00, 0x00]); // graphic control: 10 ms delay
            stream.Write([0x2C, (byte)f, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]); // a 1 × 1 frame at (f, 0)
            stream.Write([0x02, 0x02, 0x44, 0x01, 0x00]); // LZW: clear, index 0, end
        }
        stream.WriteByte(0x3B);
        return stream.ToArray();
    }

    /// <summary>A PNG whose header declares <paramref name="width"/> × <paramref name="height"/> (its data is a real 1 × 1 image's).</summary>
    public static byte[] PngClaiming(int width, int height)
    {
        using var image = new Image<L8>(1, 1);
        using var stream = new MemoryStream();
        image.Save(stream, new PngEncoder());
        var bytes = stream.ToArray();
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(16), width);  // IHDR width and height follow the signature,
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(20), height); // the chunk length and "IHDR"
        var crc = Crc32(bytes.AsSpan(12, 17));
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(29), crc);
        return bytes;
    }

    /// <summary>An extended WebP (VP8X) declaring a canvas, with <paramref name="frames"/> ANMF chunks when animated.</summary>
    public static byte[] ExtendedWebp(int width, int height, int frames)
    {
        using var body = new MemoryStream();
        body.Write("WEBP"u8);
        body.Write("VP8X"u8);
        body.Write([10, 0, 0, 0, (byte)(frames > 0 ? 0x02 : 0), 0, 0, 0]); // size 10; flags: animation when framed
        WriteUInt24(body, width - 1);
        WriteUInt24(body, height - 1);
        if (frames > 0)
        {
            body.Write("ANIM"u8);
            body.Write([6, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        }
        for (int f = 0; f < frames; f++)
        {
            body.Write("ANMF"u8);
            body.Write([16, 0, 0, 0]);
            body.Write(new byte[16]);
        }
        using var file = new MemoryStream();
        file.Write("RIFF"u8);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)body.Length);
        file.Write(length);
        body.Position = 0;
        body.CopyTo(file);
        return file.ToArray();
    }

    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
        }
        return ~crc;
    }

    private static void WriteUInt24(Stream stream, int value) => stream.Write([(byte)value, (byte)(value >> 8), (byte)(value >> 16)]);

}
