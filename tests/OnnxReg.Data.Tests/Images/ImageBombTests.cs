using System.Buffers.Binary;
using System.Diagnostics;
using OnnxReg.Data.Images;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace OnnxReg.Data.Tests.Images;

/// <summary>
/// Decompression bombs: tiny files that declare huge canvases or hundreds of frames. Each is decoded (first frame
/// only) or refused from its header, and the process grows by less than <see cref="MemoryBoundBytes"/> for the whole corpus.
/// </summary>
public class ImageBombTests
{
    /// <summary>The stated bound: one 8192 × 8192 canvas in 8-bit and 32-bit buffers is 320 MB; nothing may keep more than this.</summary>
    private const long MemoryBoundBytes = 768L << 20;

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

    [Test]
    public void AnimatedGif_DecodesTheFirstFrameOnly_WithinTheMemoryBound()
    {
        var gif = AnimatedGif(8192, 8192, 200);
        Assert.That(gif.Length, Is.LessThan(6000));
        long before = PeakMemoryNow();
        var clock = Stopwatch.StartNew();
        var pixels = ImageInput.Load(new MemoryStream(gif), 1, 28, 28, "bomb.gif");
        Assert.That(pixels, Has.Length.EqualTo(28 * 28));
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(30)));
        Assert.That(PeakMemoryNow() - before, Is.LessThan(MemoryBoundBytes));
    }

    [TestCase(100_000, 100_000)]
    [TestCase(9000, 9000)]
    [TestCase(1, 70_000_000)]
    public void Png_DeclaringMoreThanTheLimit_IsRefusedFromItsHeader(int width, int height)
    {
        var e = Assert.Throws<InvalidDataException>(() => ImageInput.Load(new MemoryStream(PngClaiming(width, height)), 1, 28, 28, "huge.png"));
        Assert.That(e!.Message, Does.Contain($"claims to be {width} × {height} pixels").And.Contain("ONNXREG_MAX_IMAGE_PIXELS"));
    }

    [Test]
    public void AnimatedWebp_IsRefusedWithoutDecodingItsFrames()
    {
        // 4096² is within the limit for one frame; ImageSharp 2.1 does not decode animated WebP at all.
        var e = Assert.Throws<InvalidDataException>(() => ImageInput.Load(new MemoryStream(ExtendedWebp(4096, 4096, 500)), 1, 28, 28, "bomb.webp"));
        Assert.That(e!.Message, Does.Contain("'bomb.webp' is not an image that can be decoded"));
    }

    [Test]
    public void Webp_DeclaringAHugeCanvas_IsRefusedFromItsHeader()
    {
        var e = Assert.Throws<InvalidDataException>(() => ImageInput.Load(new MemoryStream(ExtendedWebp(16000, 16000, 0)), 1, 28, 28, "huge.webp"));
        Assert.That(e!.Message, Does.Contain("'huge.webp' claims to be").And.Contain("pixels are accepted")); // ImageSharp 2.1 identifies a data-less canvas as 0 × 0
    }

    [Test]
    public void NonSeekableStream_LargerThanAnyAcceptableImage_IsRefusedWithoutBeingCopiedWhole()
    {
        var limit = ResourceLimits.MaxImagePixels;
        try
        {
            ResourceLimits.MaxImagePixels = 1000;
            using var endless = new EndlessStream();
            var e = Assert.Throws<InvalidDataException>(() => ImageInput.Load(endless, 1, 28, 28, "socket"));
            Assert.That(e!.Message, Does.Contain("is larger than"));
        }
        finally
        {
            ResourceLimits.MaxImagePixels = limit;
        }
    }

    [Test]
    public void LimitFromTheEnvironment_AcceptsSuffixes_AndRejectsGarbage()
    {
        Assert.That(ResourceLimits.Parse("X", "64M", 1), Is.EqualTo(64L << 20));
        Assert.That(ResourceLimits.Parse("X", " 2g ", 1), Is.EqualTo(2L << 30));
        Assert.That(ResourceLimits.Parse("X", null, 7), Is.EqualTo(7));
        var e = Assert.Throws<InvalidOperationException>(() => ResourceLimits.Parse("ONNXREG_MAX_IMAGE_PIXELS", "lots", 1));
        Assert.That(e!.Message, Does.Contain("ONNXREG_MAX_IMAGE_PIXELS is 'lots'"));
        Assert.Throws<InvalidOperationException>(() => ResourceLimits.Parse("X", "-5", 1));
    }

    // The kernel's high-water mark of this process's resident memory (VmHWM), reset first so it measures this test.
    private static long PeakMemoryNow()
    {
        GC.Collect();
        File.WriteAllText("/proc/self/clear_refs", "5");
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
    }

    private sealed class EndlessStream : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) { Array.Fill(buffer, (byte)0x89, offset, count); return count; }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
