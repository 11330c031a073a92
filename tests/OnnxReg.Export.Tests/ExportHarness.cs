using Microsoft.ML.OnnxRuntime;
using OnnxReg.Onnx;
using OnnxReg.Onnx.Proto;
using static TorchSharp.torch;

namespace OnnxReg.Export.Tests;

/// <summary>
/// The one export-parity check every emitter test uses (like Keras' layer-test harness): export a module, run
/// the same random inputs through TorchSharp in evaluation mode and through ONNX Runtime (all graph
/// optimizations on), and compare.
/// </summary>
public static class ExportHarness
{
    /// <summary>Exports <paramref name="module"/> and asserts max |Δ| ≤ tolerance × max(1, max |output|) for each batch size.</summary>
    public static ModelProto AssertParity(nn.Module<Tensor, Tensor> module, long[] sampleShape, int[]? batchSizes = null,
        double tolerance = 1e-5, ExportOptions? options = null, int seed = 0)
    {
        var model = new OnnxExporter().Export(module, sampleShape, options);
        using var session = CreateSession(model);
        foreach (int batch in batchSizes ?? [1, 3, 257])
        {
            var input = RandomInput([batch, .. sampleShape], seed + batch);
            var expected = RunTorch(module, input, [batch, .. sampleShape]);
            var actual = RunOnnx(session, input, [batch, .. sampleShape]);
            Assert.That(actual.Length, Is.EqualTo(expected.Length), $"batch {batch}: output sizes differ");
            double scale = Math.Max(1.0, expected.Max(v => Math.Abs(v)));
            double maxDifference = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
            Assert.That(maxDifference, Is.LessThanOrEqualTo(tolerance * scale), $"batch {batch}: max |Δ| {maxDifference:E2} (output scale {scale:F2})");
        }
        return model;
    }

    public static InferenceSession CreateSession(ModelProto model)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        return new InferenceSession(OnnxModelSerializer.ToBytes(model), options);
    }

    public static float[] RandomInput(long[] shape, int seed)
    {
        var random = new Random(seed);
        var values = new float[shape.Aggregate(1L, (a, d) => a * d)];
        for (int i = 0; i < values.Length; i++) values[i] = (float)(random.NextDouble() * 4 - 2);
        return values;
    }

    public static float[] RunTorch(nn.Module<Tensor, Tensor> module, float[] input, long[] shape)
    {
        bool wasTraining = module.training;
        module.eval();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var output = module.forward(tensor(input, shape)).contiguous().data<float>().ToArray();
        module.train(wasTraining);
        return output;
    }

    public static float[] RunOnnx(InferenceSession session, float[] input, long[] shape)
    {
        using var value = OrtValue.CreateTensorValueFromMemory(input, shape);
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, [session.InputNames[0]], [value], [session.OutputNames[0]]);
        return results[0].GetTensorDataAsSpan<float>().ToArray();
    }
}
