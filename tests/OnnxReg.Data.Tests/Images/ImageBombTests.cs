using System.Diagnostics;
using OnnxReg.Data.Images;
using OnnxReg.Tests.Shared;

namespace OnnxReg.Data.Tests.Images;

/// <summary>
/// Decompression bombs: tiny files that declare huge canvases or hundreds of frames. Each is decoded (first frame
/// only) or refused from its header, and the process grows by less than <see cref="MemoryBoundBytes"/> for the whole corpus.
/// </summary>
public class ImageBombTests
{
    /// <summary>The stated bound: one 8192 × 8192 canvas in 8-bit and 32-bit buffers is 320 MB; nothing may keep more than this.</summary>
    private const long MemoryBoundBytes = 768L << 20;

    [Test]
    public void AnimatedGif_DecodesTheFirstFrameOnly_WithinTheMemoryBound()
    {
        var gif = ImageBombs.AnimatedGif(8192, 8192, 200);
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
        var e = Assert.Throws<InvalidDataException>(() => ImageInput.Load(new MemoryStream(ImageBombs.PngClaiming(width, height)), 1, 28, 28, "huge.png"));
        Assert.That(e!.Message, Does.Contain($"claims to be {width} × {height} pixels").And.Contain("ONNXREG_MAX_IMAGE_PIXELS"));
    }

    [Test]
    public void AnimatedWebp_IsRefusedWithoutDecodingItsFrames()
    {
        // 4096² is within the limit for one frame; ImageSharp 2.1 does not decode animated WebP at all.
        var e = Assert.Throws<InvalidDataException>(() => ImageInput.Load(new MemoryStream(ImageBombs.ExtendedWebp(4096, 4096, 500)), 1, 28, 28, "bomb.webp"));
        Assert.That(e!.Message, Does.Contain("'bomb.webp' is not an image that can be decoded"));
    }

    [Test]
    public void Webp_DeclaringAHugeCanvas_IsRefusedFromItsHeader()
    {
        var e = Assert.Throws<InvalidDataException>(() => ImageInput.Load(new MemoryStream(ImageBombs.ExtendedWebp(16000, 16000, 0)), 1, 28, 28, "huge.webp"));
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
        var e = Assert.Throws<OnnxRegException>(() => ResourceLimits.Parse("ONNXREG_MAX_IMAGE_PIXELS", "lots", 1));
        Assert.That(e!.Message, Does.Contain("ONNXREG_MAX_IMAGE_PIXELS is 'lots'"));
        Assert.Throws<OnnxRegException>(() => ResourceLimits.Parse("X", "-5", 1));
    }

    // The kernel's high-water mark of this process's resident memory (VmHWM), reset first so it measures this test.
    private static long PeakMemoryNow()
    {
        GC.Collect();
        ProcessMemory.ResetPeak();
        return ProcessMemory.StatusBytes("VmHWM");
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
