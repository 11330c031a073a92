using System.Buffers.Binary;
using System.IO.Compression;
using OnnxReg.Data;
using OnnxReg.Data.Images;

namespace OnnxReg.Runtime.Tests;

/// <summary>Predicting from arrays, batches, image files and many threads at once.</summary>
public class PredictionTests
{
    private string _folder = null!;

    [SetUp]
    public void CreateFolder() => Directory.CreateDirectory(_folder = Path.Combine(Path.GetTempPath(), "onnxreg-predict-" + Guid.NewGuid().ToString("N")));

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    private static float[] ImageModelWeights()
    {
        var random = new Random(11);
        return Enumerable.Range(0, 10 * 784).Select(_ => (float)(random.NextDouble() - 0.5) * 0.1f).ToArray();
    }

    // A 784 → 10 linear model with fixed pseudo-random weights, exported by hand (the runtime tests carry no TorchSharp).
    private string ImageModel()
    {
        var weights = ImageModelWeights();
        var builder = new Onnx.OnnxGraphBuilder("image");
        var input = builder.AddInput("input", [Onnx.OnnxDimension.Symbolic("N"), Onnx.OnnxDimension.Fixed(1), Onnx.OnnxDimension.Fixed(28), Onnx.OnnxDimension.Fixed(28)]);
        var flat = builder.AddNode("Flatten", "flatten", [input], Onnx.OnnxAttribute.Int("axis", 1));
        var output = builder.AddNode("Gemm", "fc", [flat, builder.AddInitializer("w", weights, [10, 784])], Onnx.OnnxAttribute.Int("transB", 1));
        builder.AddOutput(output, [Onnx.OnnxDimension.Symbolic("N"), Onnx.OnnxDimension.Fixed(10)]);
        var metadata = new Dictionary<string, string>
        {
            [ModelMetadataKeys.ClassNames] = System.Text.Json.JsonSerializer.Serialize(FashionMnist.ClassNames),
            [ModelMetadataKeys.Normalization] = "{\"mean\":0.286,\"std\":0.353}",
        };
        var path = Path.Combine(_folder, "image.onnx");
        File.WriteAllBytes(path, Onnx.OnnxModelSerializer.ToBytes(builder.Build(new Onnx.OnnxModelInfo(8, 13, "test", "1", metadata))));
        return path;
    }

    [Test]
    public void Predict_GivesTheSoftmaxOfTheLogitsComputedByHand_AndTheirArgmax()
    {
        using var classifier = OnnxClassifier.Load(ImageModel());
        var test = DatasetSource.Load(DatasetSource.Embedded).Test;
        var prediction = classifier.Predict(test.Pixels.AsSpan(0, 784));

        // The oracle, in double precision and independent of the runtime's helpers: normalize, multiply, softmax.
        var weights = ImageModelWeights();
        var logits = new double[10];
        for (int c = 0; c < 10; c++)
            for (int i = 0; i < 784; i++)
                logits[c] += weights[c * 784 + i] * ((test.Pixels[i] / 255.0 - 0.286) / 0.353);
        double max = logits.Max();
        var exp = logits.Select(z => Math.Exp(z - max)).ToArray();
        var expected = exp.Select(e => e / exp.Sum()).ToArray();
        int expectedClass = Array.IndexOf(expected, expected.Max());

        Assert.That(prediction.Probabilities.Select(p => (double)p), Is.EqualTo(expected).Within(1e-5));
        Assert.That(prediction.ClassIndex, Is.EqualTo(expectedClass));
        Assert.That(prediction.ClassName, Is.EqualTo(FashionMnist.ClassNames[prediction.ClassIndex]));
        Assert.That(prediction.Top(3).Select(t => t.Probability), Is.Ordered.Descending);
        var batch = classifier.PredictBatch(test.Pixels.AsSpan(0, 784 * 5), 5);
        Assert.That(batch[0].Probabilities, Is.EqualTo(prediction.Probabilities).Within(1e-6));
    }

    [Test]
    public void PredictingFromAPngOfATestImage_GivesTheSameClassAsFromTheArray()
    {
        using var classifier = OnnxClassifier.Load(ImageModel());
        var test = DatasetSource.Load(DatasetSource.Embedded).Test;
        for (int i = 0; i < 5; i++)
        {
            var pixels = test.Pixels.AsSpan(i * 784, 784).ToArray();
            var png = Path.Combine(_folder, $"test{i}.png");
            WriteGrayPng(png, 28, 28, pixels);
            Assert.That(ImageInput.Load(png, 1, 28, 28), Is.EqualTo(pixels), "PNG round trip is lossless");
            var fromFile = classifier.PredictImage(png);
            var fromArray = classifier.Predict(pixels);
            Assert.That(fromFile.ClassIndex, Is.EqualTo(fromArray.ClassIndex));
            Assert.That(fromFile.Probabilities, Is.EqualTo(fromArray.Probabilities).Within(1e-6));
        }
    }

    [Test]
    public void LargerImage_IsResizedToTheModelsSize()
    {
        var big = new byte[56 * 56];
        Array.Fill(big, (byte)200);
        var png = Path.Combine(_folder, "big.png");
        WriteGrayPng(png, 56, 56, big);
        Assert.That(ImageInput.Load(png, 1, 28, 28), Has.Length.EqualTo(784).And.All.EqualTo((byte)200));
    }

    [Test]
    public void FileThatIsNotAnImage_IsInvalidData()
    {
        var path = Path.Combine(_folder, "fake.png");
        File.WriteAllText(path, "not an image");
        using var classifier = OnnxClassifier.Load(ImageModel());
        var e = Assert.Throws<InvalidDataException>(() => classifier.PredictImage(path));
        Assert.That(e!.Message, Does.Contain("fake.png").And.Contain("not an image"));
        Assert.Throws<FileNotFoundException>(() => classifier.PredictImage(Path.Combine(_folder, "none.png")));
    }

    [Test]
    public void EightThreadsAtOnce_GiveTheSameAnswersAsOne()
    {
        using var classifier = OnnxClassifier.Load(ImageModel());
        var test = DatasetSource.Load(DatasetSource.Embedded).Test.Take(400);
        var expected = Enumerable.Range(0, test.Count).Select(i => classifier.Predict(test.Pixels.AsSpan(i * 784, 784)).Probabilities).ToArray();
        var mismatches = 0;
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, thread =>
        {
            for (int round = 0; round < 3; round++)
                for (int i = thread; i < test.Count; i += 3)
                {
                    var got = classifier.Predict(test.Pixels.AsSpan(i * 784, 784)).Probabilities;
                    if (!got.SequenceEqual(expected[i])) Interlocked.Increment(ref mismatches);
                }
        });
        Assert.That(mismatches, Is.Zero);
    }

    [Test]
    public void SixteenThreads_ThousandsOfPredictionsEach_MatchOneThread_AndMemoryDoesNotGrow()
    {
        using var classifier = OnnxClassifier.Load(Path.Combine(OnnxReg.Tests.Shared.RepositoryPaths.Models, "cnn-regularized.onnx"));
        var test = DatasetSource.Load(DatasetSource.Embedded).Test.Take(200);
        var expected = Enumerable.Range(0, test.Count).Select(i => classifier.Predict(test.Pixels.AsSpan(i * 784, 784)).Probabilities).ToArray();
        int mismatches = 0;
        void Round(int perThread) => Parallel.For(0, 16, new ParallelOptions { MaxDegreeOfParallelism = 16 }, thread =>
        {
            var inputs = new float[784];
            var logits = new float[10];
            for (int n = 0; n < perThread; n++)
            {
                int i = (thread * 7 + n) % test.Count;
                var got = classifier.Predict(test.Pixels.AsSpan(i * 784, 784)).Probabilities;
                classifier.PreparePixels(test.Pixels.AsSpan(i * 784, 784), inputs);
                classifier.Run(inputs, 1, logits);
                if (!got.SequenceEqual(expected[i]) || ClassifierMath.ArgMax(logits) != ClassifierMath.ArgMax(expected[i])) Interlocked.Increment(ref mismatches);
            }
        });
        Round(200); // warm-up: thread pools, bindings, pooled buffers
        GC.Collect();
        long managedBefore = GC.GetTotalMemory(forceFullCollection: true);
        long workingSetBefore = Environment.WorkingSet;
        Round(2000);
        long managedAfter = GC.GetTotalMemory(forceFullCollection: true);
        long workingSetAfter = Environment.WorkingSet;
        Assert.That(mismatches, Is.Zero);
        Assert.That(managedAfter - managedBefore, Is.LessThan(8L << 20), "managed heap growth over 32,000 predictions");
        Assert.That(workingSetAfter - workingSetBefore, Is.LessThan(64L << 20), "working-set growth over 32,000 predictions");
    }

    [Test]
    public void SteadyPredictions_AllocateNoManagedBuffers()
    {
        using var classifier = OnnxClassifier.Load(ImageModel());
        foreach (int batch in new[] { 1, 256 })
        {
            var inputs = new float[batch * 784];
            var outputs = new float[batch * 10];
            for (int i = 0; i < 5; i++) classifier.Run(inputs, batch, outputs);
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 100; i++) classifier.Run(inputs, batch, outputs);
            double perCall = (GC.GetAllocatedBytesForCurrentThread() - before) / 100.0;
            // ONNX Runtime's own Run allocates a few hundred bytes of bookkeeping; a copied buffer would be ≥ 3 KB
            // at batch 1 and ≥ 800 KB at batch 256.
            Assert.That(perCall, Is.LessThan(1024), $"batch {batch}: {perCall} bytes per call");
        }
    }

    // A minimal 8-bit grayscale PNG writer, so the test does not depend on the decoder's own encoder.
    internal static void WriteGrayPng(string path, int width, int height, byte[] pixels)
    {
        using var file = File.Create(path);
        file.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; // bit depth; colour type 0 (grayscale), no interlace
        Chunk(file, "IHDR", header);
        using var raw = new MemoryStream();
        using (var z = new ZLibStream(raw, CompressionLevel.Optimal, leaveOpen: true))
            for (int y = 0; y < height; y++)
            {
                z.WriteByte(0);
                z.Write(pixels, y * width, width);
            }
        Chunk(file, "IDAT", raw.ToArray());
        Chunk(file, "IEND", []);
    }

    private static void Chunk(Stream stream, string type, byte[] data)
    {
        Span<byte> number = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(number, data.Length);
        stream.Write(number);
        var typeBytes = System.Text.Encoding.ASCII.GetBytes(type);
        stream.Write(typeBytes);
        stream.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(number, Crc32([.. typeBytes, .. data]));
        stream.Write(number);
    }

    private static uint Crc32(byte[] bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
        }
        return ~crc;
    }
}
