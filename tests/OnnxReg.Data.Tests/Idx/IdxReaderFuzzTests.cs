using System.Diagnostics;
using System.IO.Compression;
using OnnxReg.Data.Idx;

namespace OnnxReg.Data.Tests.Idx;

/// <summary>
/// Thousands of randomly mutated and truncated IDX files (seeded, bounded in time): each either loads or throws the
/// documented <see cref="InvalidDataException"/> — never another exception, a hang or a huge allocation.
/// </summary>
public class IdxReaderFuzzTests
{
    [TestCase(false)]
    [TestCase(true)]
    public void MutatedAndTruncatedFiles_LoadOrFailWithInvalidData(bool gzip)
    {
        var valid = IdxReaderTests.Encode(new IdxArray([20, 8, 8], IdxReaderTests.RandomBytes(20 * 64, seed: 5)));
        if (gzip)
        {
            using var buffer = new MemoryStream();
            using (var z = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true)) z.Write(valid);
            valid = buffer.ToArray();
        }
        using var folder = new TempFolder();
        var path = folder.File(gzip ? "fuzz.gz" : "fuzz");
        var random = new Random(gzip ? 11 : 12);
        var clock = Stopwatch.StartNew();
        int tried = 0, loaded = 0, rejected = 0;
        while (tried < 3000 && clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            var bytes = Mutate(valid, random);
            File.WriteAllBytes(path, bytes);
            tried++;
            try
            {
                var array = IdxReader.Read(path);
                Assert.That(array.Data.LongLength, Is.EqualTo(array.Shape.Aggregate(1L, (a, d) => a * d)));
                loaded++;
            }
            catch (InvalidDataException)
            {
                rejected++;
            }
        }
        TestContext.Out.WriteLine($"{(gzip ? "gzip" : "plain")}: {tried} inputs, {loaded} loaded, {rejected} rejected with InvalidDataException");
        Assert.That(tried, Is.GreaterThanOrEqualTo(1000), "the fuzz budget covered at least 1,000 inputs");
        Assert.That(rejected, Is.GreaterThan(0));
    }

    // Flip random bytes, overwrite header bytes, or cut the file at a random length.
    internal static byte[] Mutate(byte[] valid, Random random)
    {
        var bytes = (byte[])valid.Clone();
        switch (random.Next(3))
        {
            case 0:
                for (int i = random.Next(1, 8); i > 0; i--) bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                return bytes;
            case 1:
                for (int i = random.Next(1, 4); i > 0; i--) bytes[random.Next(Math.Min(16, bytes.Length))] = (byte)random.Next(256);
                return bytes;
            default:
                return bytes[..random.Next(bytes.Length)];
        }
    }
}
