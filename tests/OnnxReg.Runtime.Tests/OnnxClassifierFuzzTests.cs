using System.Diagnostics;
using OnnxReg.Tests.Shared;

namespace OnnxReg.Runtime.Tests;

/// <summary>
/// Randomly mutated and truncated copies of a reference model (seeded, bounded in time): loading each either
/// succeeds or throws the documented <see cref="InvalidDataException"/>, and a model that loads also predicts.
/// </summary>
public class OnnxClassifierFuzzTests
{
    [Test]
    public void MutatedAndTruncatedModels_LoadOrFailWithInvalidData()
    {
        var valid = File.ReadAllBytes(Path.Combine(RepositoryPaths.Models, "mlp-plain.onnx"));
        var folder = Path.Combine(Path.GetTempPath(), "onnxreg-fuzz-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var random = new Random(21);
        var clock = Stopwatch.StartNew();
        int tried = 0, loaded = 0, rejected = 0;
        try
        {
            while (tried < 600 && clock.Elapsed < TimeSpan.FromSeconds(30))
            {
                var path = Path.Combine(folder, $"m{tried % 4}.onnx");
                File.WriteAllBytes(path, Mutate(valid, random));
                tried++;
                try
                {
                    using var model = OnnxClassifier.Load(path);
                    Assert.That(model.PredictLogits(new float[model.SampleSize], 1), Has.Length.EqualTo(model.ClassCount));
                    loaded++;
                }
                catch (InvalidDataException)
                {
                    rejected++;
                }
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
        TestContext.Out.WriteLine($"{tried} models, {loaded} loaded and predicted, {rejected} rejected with InvalidDataException");
        Assert.That(tried, Is.GreaterThanOrEqualTo(200));
        Assert.That(rejected, Is.GreaterThan(0));
    }

    // Mutations aimed at the structure: the first 2 KB hold the graph's nodes, names and shapes (weights come after).
    private static byte[] Mutate(byte[] valid, Random random)
    {
        var bytes = (byte[])valid.Clone();
        switch (random.Next(4))
        {
            case 0:
                for (int i = random.Next(1, 6); i > 0; i--) bytes[random.Next(Math.Min(2048, bytes.Length))] = (byte)random.Next(256);
                return bytes;
            case 1:
                for (int i = random.Next(1, 6); i > 0; i--) bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                return bytes;
            case 2:
                return bytes[..random.Next(bytes.Length)];
            default:
                var noise = new byte[random.Next(1, 4096)];
                random.NextBytes(noise);
                return noise;
        }
    }
}
