using System.IO.Compression;
using OnnxReg.Data.Idx;

namespace OnnxReg.Data.Tests.Idx;

public class IdxReaderTests
{
    private static readonly IdxArray Images = new([3, 2, 2], Enumerable.Range(0, 12).Select(i => (byte)(i * 20)).ToArray());

    [TestCase(false)]
    [TestCase(true)]
    public void RoundTrips_PlainAndGzip(bool gzip)
    {
        using var folder = new TempFolder();
        var path = folder.File("images");
        IdxWriter.Write(path, Images, gzip);
        var read = IdxReader.Read(path);
        Assert.That(read.Shape, Is.EqualTo(new[] { 3, 2, 2 }));
        Assert.That(read.Data, Is.EqualTo(Images.Data));
    }

    [Test]
    public void Rejects_WrongMagicNumber_NamingIt()
    {
        using var folder = new TempFolder();
        var path = folder.File("bad");
        File.WriteAllBytes(path, [0x50, 0x4B, 0x03, 0x04, 0, 0, 0, 1, 7]);
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.Read(path));
        Assert.That(e!.Message, Does.Contain("0x504B0304").And.Contain(path));
    }

    [Test]
    public void Rejects_UnsupportedElementType()
    {
        var bytes = Encode(Images);
        bytes[2] = 0x0D; // float
        var e = Assert.Throws<InvalidDataException>(() => ReadBytes(bytes));
        Assert.That(e!.Message, Does.Contain("element type 0x0D"));
    }

    [Test]
    public void Rejects_TruncatedPlainFile_WithDeclaredAndActualSizes()
    {
        var bytes = Encode(Images)[..^5];
        var e = Assert.Throws<InvalidDataException>(() => ReadBytes(bytes));
        Assert.That(e!.Message, Does.Contain("truncated").And.Contain("12 data bytes").And.Contain("only 7"));
    }

    [Test]
    public void Rejects_TrailingBytes()
    {
        var bytes = Encode(Images).Concat(new byte[] { 1, 2 }).ToArray();
        var e = Assert.Throws<InvalidDataException>(() => ReadBytes(bytes));
        Assert.That(e!.Message, Does.Contain("2 bytes after"));
    }

    [Test]
    public void Rejects_TruncatedGzipData()
    {
        using var folder = new TempFolder();
        var path = folder.File("short.gz");
        using (var file = File.Create(path))
        using (var gzip = new GZipStream(file, CompressionLevel.Optimal))
            gzip.Write(Encode(Images)[..^4]);
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.Read(path));
        Assert.That(e!.Message, Does.Contain("truncated"));
    }

    [Test]
    public void Rejects_GzipStreamCutShort()
    {
        using var folder = new TempFolder();
        var path = folder.File("cut.gz");
        IdxWriter.Write(path, new IdxArray([200, 28, 28], RandomBytes(200 * 28 * 28, seed: 1)), gzip: true);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        Assert.Throws<InvalidDataException>(() => IdxReader.Read(path));
    }

    [Test]
    public void Rejects_HugeDeclaredCount_WithoutAllocatingIt()
    {
        // Claims 2^31 - 1 images of 28x28 (far beyond any array) in a 30-byte file.
        var bytes = new byte[] { 0, 0, 8, 3, 0x7F, 0xFF, 0xFF, 0xFF, 0, 0, 0, 28, 0, 0, 0, 28, 1, 2, 3 };
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var e = Assert.Throws<InvalidDataException>(() => ReadBytes(bytes));
        Assert.That(e!.Message, Does.Contain("more than"));
        Assert.That(GC.GetTotalAllocatedBytes(precise: true) - before, Is.LessThan(1 << 20));
    }

    [Test]
    public void Rejects_LargeDeclaredCountInSmallGzip_WithoutAllocatingIt()
    {
        using var folder = new TempFolder();
        var path = folder.File("liar.gz");
        using (var file = File.Create(path))
        using (var gzip = new GZipStream(file, CompressionLevel.Optimal))
            gzip.Write(new byte[] { 0, 0, 8, 3, 0, 0x10, 0, 0, 0, 0, 0, 28, 0, 0, 0, 28, 1, 2, 3 }); // 1M images declared
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.Read(path));
        Assert.That(e!.Message, Does.Contain("more than its compressed size can hold"));
        Assert.That(GC.GetTotalAllocatedBytes(precise: true) - before, Is.LessThan(8 << 20));
    }

    [TestCase(0)]
    [TestCase(-1)]
    public void Rejects_ZeroOrNegativeDimension(int size)
    {
        var bytes = Encode(Images);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(8), size);
        var e = Assert.Throws<InvalidDataException>(() => ReadBytes(bytes));
        Assert.That(e!.Message, Does.Contain("dimension 1"));
    }

    [Test]
    public void Rejects_EmptyFile()
    {
        var e = Assert.Throws<InvalidDataException>(() => ReadBytes([]));
        Assert.That(e!.Message, Does.Contain("shorter than the 4-byte"));
    }

    [Test]
    public void MissingFile_IsFileNotFound()
    {
        Assert.Throws<FileNotFoundException>(() => IdxReader.Read("/definitely/not/here.idx"));
    }

    internal static byte[] Encode(IdxArray array)
    {
        using var stream = new MemoryStream();
        IdxWriter.WriteTo(stream, array);
        return stream.ToArray();
    }

    internal static byte[] RandomBytes(int count, int seed)
    {
        var bytes = new byte[count];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static IdxArray ReadBytes(byte[] bytes)
    {
        using var folder = new TempFolder();
        var path = folder.File("data");
        File.WriteAllBytes(path, bytes);
        return IdxReader.Read(path);
    }

    [Test]
    public void GzipDeclaringHugeImages_IsRefusedFromItsHeader_BeforeDecompressing()
    {
        using var folder = new TempFolder();
        var path = folder.File("huge.gz");
        using (var file = File.Create(path))
        using (var gzip = new System.IO.Compression.GZipStream(file, System.IO.Compression.CompressionLevel.SmallestSize))
        {
            gzip.Write([0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0x9C, 0x40, 0, 0, 0x9C, 0x40]); // [1, 40000, 40000]
            gzip.Write(new byte[1 << 20]);
        }
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.Read(path));
        Assert.That(e!.Message, Does.Contain("declares images of 40000 × 40000 pixels").And.Contain("ONNXREG_MAX_IMAGE_PIXELS"));
    }

    [Test]
    public void DeclaredSizeOverTheIdxLimit_IsRefused()
    {
        using var folder = new TempFolder();
        var path = folder.File("big");
        File.WriteAllBytes(path, [0, 0, 8, 1, 0x50, 0x00, 0x00, 0x00]); // 1,342,177,280 bytes declared
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.Read(path));
        Assert.That(e!.Message, Does.Contain("at most 1,073,741,824 are read").And.Contain("ONNXREG_MAX_IDX_BYTES"));
    }
}
