using OnnxReg.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace OnnxReg.Export.Tests;

/// <summary>Exporting holds each weight once in managed memory — the initializer's bytes — and encodes the model
/// straight into its file: a 20M-parameter network's weights were held as floats, as bytes, as a protobuf copy and as
/// the encoded file, about four times over.</summary>
public class ExportMemoryTests
{
    [Test]
    public void ExportingToAFile_AllocatesAboutTheWeightsOnce()
    {
        var folder = Directory.CreateTempSubdirectory("onnxreg-export-memory-").FullName;
        try
        {
            using var scope = NewDisposeScope();
            random.manual_seed(1);
            var model = nn.Sequential(("flatten", nn.Flatten()), ("fc", nn.Linear(1000, 4000))); // 16 MB of weights
            var path = Path.Combine(folder, "m.onnx");
            new OnnxExporter().Export(model, [1, 1000], path); // warm-up (JIT)
            long before = GC.GetAllocatedBytesForCurrentThread();
            new OnnxExporter().Export(model, [1, 1000], path);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

            long weightBytes = 4_004_000L * sizeof(float);
            Assert.That(new FileInfo(path).Length, Is.GreaterThan(weightBytes));
            Assert.That(OnnxWeights.ParameterCount(OnnxModelSerializer.Read(path).Graph), Is.EqualTo(4_004_000), "the file holds every weight");
            Assert.That(allocated, Is.LessThan(weightBytes * 3 / 2), $"{allocated:N0} bytes allocated to export {weightBytes:N0} bytes of weights");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
