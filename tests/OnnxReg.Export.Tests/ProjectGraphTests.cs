using System.Reflection;

namespace OnnxReg.Export.Tests;

/// <summary>The project graph says what the code uses: the exporter needs the modules it writes, not the trainer, and
/// the trainer reads no datasets (it is handed tensors).</summary>
public class ProjectGraphTests
{
    private static IEnumerable<string> References(Assembly assembly) => assembly.GetReferencedAssemblies().Select(a => a.Name!);

    [Test]
    public void Exporter_DependsOnTheModules_NotOnTheTrainer()
    {
        var export = References(typeof(OnnxExporter).Assembly).ToList();
        Assert.That(export, Does.Contain("OnnxReg.Modules").And.Contain("OnnxReg.Onnx"));
        Assert.That(export, Does.Not.Contain("OnnxReg.Training"));
    }

    [Test]
    public void Trainer_ReadsNoDatasets()
    {
        var training = References(typeof(Training.Trainer).Assembly).ToList();
        Assert.That(training, Does.Contain("OnnxReg.Data").And.Contain("OnnxReg.Modules"));
        Assert.That(training, Does.Not.Contain("OnnxReg.Datasets"));
    }
}
