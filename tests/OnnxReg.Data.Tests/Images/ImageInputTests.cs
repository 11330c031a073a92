using System.Buffers.Binary;
using System.Diagnostics;
using OnnxReg.Data.Images;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace OnnxReg.Data.Tests.Images;

public class ImageInputTests
{
    private static byte[] Encode(string format)
    {
        var test = DatasetSource.Load(DatasetSource.Embedded).Test;
        using var image = Image.LoadPixelData<L8>(test.Pixels.AsSpan(0, 784), 28, 28);
        using var stream = new MemoryStream();
        switch (format)
        {
            case "png": image.SaveAsPng(stream); break;
            case "jpeg": image.SaveAsJpeg(stream); break;
            case "bmp": image.SaveAsBmp(stream); break;
            case "gif": image.SaveAsGif(stream); break;
            default: throw new ArgumentException(format);
        }
        return stream.ToArray();
    }

    [Test]
    public void TextWithAnImageExtension_IsInvalidData()
    {
        var e = Assert.Throws<InvalidDataException>(() => ImageInput.Load(new MemoryStream("hello"u8.ToArray()), 1, 28, 28, "notes.png"));
        Assert.That(e!.Message, Does.Contain("'notes.png' is not an image that can be decoded"));
    }

    [Test]
    public void AHeaderClaimingGigapixels_IsRefusedBeforeDecoding()
    {
        var bmp = Encode("bmp");
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(18), 20_000); // width
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(22), 20_000); // height: 400 megapixels in a 1 KB file
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(() => ImageInput.Load(new MemoryStream(bmp), 1, 28, 28, "bomb.bmp"));
        Assert.That(e!.Message, Does.Contain("'bomb.bmp' claims to be 20000 × 20000 pixels; images up to 67,108,864 pixels are accepted"));
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.LessThan(16 << 20), "nothing near 400 MB was allocated");
    }

    [Test]
    public void NonSeekableStreams_AreDecodedToo()
    {
        var png = Encode("png");
        using var pipe = new NonSeekable(new MemoryStream(png));
        Assert.That(ImageInput.Load(pipe, 1, 28, 28), Is.EqualTo(ImageInput.Load(new MemoryStream(png), 1, 28, 28)));
    }

    // Seeded mutations of valid PNG, JPEG, BMP and GIF files: each must decode to 28 × 28 pixels or be rejected with
    // InvalidDataException, within a time budget, with no other exception and no hang.
    [Test]
    public void Fuzz_MutatedAndTruncatedImages_DecodeOrThrowInvalidData()
    {
        var seeds = new[] { "png", "jpeg", "bmp", "gif" }.Select(f => (Format: f, Bytes: Encode(f))).ToArray();
        var random = new Random(20261124);
        var budget = Stopwatch.StartNew();
        int tried = 0, decoded = 0, rejected = 0;
        var unexpected = new List<string>();
        while (tried < 12_000 && budget.Elapsed < TimeSpan.FromSeconds(40))
        {
            var (format, original) = seeds[tried % seeds.Length];
            var bytes = Mutate(original, random);
            tried++;
            var clock = Stopwatch.StartNew();
            try
            {
                Assert.That(ImageInput.Load(new MemoryStream(bytes), 1, 28, 28, "fuzz"), Has.Length.EqualTo(784));
                decoded++;
            }
            catch (InvalidDataException)
            {
                rejected++;
            }
            catch (Exception e)
            {
                unexpected.Add($"{format} #{tried}: {e.GetType().Name}: {e.Message.Split('\n')[0]}");
            }
            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(2)), $"{format} input #{tried} took {clock.Elapsed}");
        }
        TestContext.Out.WriteLine($"image fuzz: {tried} inputs in {budget.Elapsed.TotalSeconds:0.0} s: {decoded} decoded, {rejected} rejected, {unexpected.Count} other");
        Assert.That(unexpected, Is.Empty);
        Assert.That(tried, Is.GreaterThanOrEqualTo(1000), "the budget allowed too few inputs to mean anything");
        Assert.That(decoded, Is.GreaterThan(0));
        Assert.That(rejected, Is.GreaterThan(0));
    }

    private static byte[] Mutate(byte[] original, Random random)
    {
        var bytes = (byte[])original.Clone();
        switch (random.Next(4))
        {
            case 0: // flip a few bytes
                for (int i = random.Next(1, 9); i > 0; i--) bytes[random.Next(bytes.Length)] ^= (byte)random.Next(1, 256);
                return bytes;
            case 1: // truncate
                return bytes[..random.Next(bytes.Length)];
            case 2: // extreme values in the header
                int at = random.Next(Math.Min(64, bytes.Length - 4));
                BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(at), random.Next(2) == 0 ? int.MaxValue : random.Next(-1, 70_000));
                return bytes;
            default: // insert random bytes
                int position = random.Next(bytes.Length);
                var inserted = new byte[random.Next(1, 64)];
                random.NextBytes(inserted);
                return [.. bytes[..position], .. inserted, .. bytes[position..]];
        }
    }

    private sealed class NonSeekable(Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        protected override void Dispose(bool disposing) { if (disposing) inner.Dispose(); base.Dispose(disposing); }
    }
}
