using System.Reflection;
using System.Text.Json;

namespace OnnxReg.Runtime.Tests;

/// <summary>An app that embeds the runtime library must not carry TorchSharp or libtorch; one that only predicts from
/// pixels (no image files) must not carry an image decoder either.</summary>
public class DependencyClosureTests
{
    private static readonly string[] Forbidden = ["TorchSharp", "libtorch", "LibTorchSharp"];

    private static HashSet<string> Closure(Assembly root)
    {
        var seen = new HashSet<string>();
        var pending = new Stack<AssemblyName>([root.GetName()]);
        while (pending.Count > 0)
        {
            var name = pending.Pop();
            if (!seen.Add(name.Name!)) continue;
            Assembly assembly;
            try { assembly = Assembly.Load(name); }
            catch (FileNotFoundException) { continue; }
            foreach (var reference in assembly.GetReferencedAssemblies()) pending.Push(reference);
        }
        return seen;
    }

    [Test]
    public void RuntimeAssembly_CarriesNoImageDecoder_TheImagesAddOnDoes()
    {
        var runtime = Closure(typeof(OnnxClassifier).Assembly);
        Assert.That(runtime, Does.Contain("OnnxReg.Data").And.Contain("Microsoft.ML.OnnxRuntime"));
        Assert.That(runtime.Where(n => n.StartsWith("SixLabors", StringComparison.Ordinal) || n == "OnnxReg.Datasets"), Is.Empty);
        var images = Closure(typeof(ImagePrediction).Assembly);
        Assert.That(images, Does.Contain("SixLabors.ImageSharp").And.Contain("OnnxReg.Runtime"));
        Assert.That(images.Where(n => Forbidden.Any(f => n.Contains(f, StringComparison.OrdinalIgnoreCase))), Is.Empty);
    }

    [Test]
    public void RuntimeAssembly_ReferencesNoTorchSharp_Transitively()
    {
        var seen = new HashSet<string>();
        var pending = new Stack<AssemblyName>([typeof(OnnxClassifier).Assembly.GetName()]);
        while (pending.Count > 0)
        {
            var name = pending.Pop();
            if (!seen.Add(name.Name!)) continue;
            Assert.That(Forbidden.Any(f => name.Name!.Contains(f, StringComparison.OrdinalIgnoreCase)), Is.False, $"runtime closure contains {name.Name}");
            Assembly assembly;
            try { assembly = Assembly.Load(name); }
            catch (FileNotFoundException) { continue; } // framework facades not present as files
            foreach (var reference in assembly.GetReferencedAssemblies()) pending.Push(reference);
        }
        Assert.That(seen, Does.Contain("Microsoft.ML.OnnxRuntime"), "the walk reached ONNX Runtime, so it really followed references");
    }

    [Test]
    public void RuntimePackageClosure_InDepsJson_HasNoTorchSharpOrLibtorch()
    {
        // This test project references only the runtime library with its images add-on (and the protobuf schema
        // library), so its deps.json lists exactly the packages an app embedding the runtime would get.
        var depsPath = Path.Combine(AppContext.BaseDirectory, "OnnxReg.Runtime.Tests.deps.json");
        using var deps = JsonDocument.Parse(File.ReadAllText(depsPath));
        var libraries = deps.RootElement.GetProperty("libraries").EnumerateObject().Select(p => p.Name).ToList();
        Assert.That(libraries, Has.Some.StartsWith("Microsoft.ML.OnnxRuntime/"));
        Assert.That(libraries, Has.Some.StartsWith("OnnxReg.Runtime/"));
        Assert.That(libraries.Where(l => Forbidden.Any(f => l.Contains(f, StringComparison.OrdinalIgnoreCase))), Is.Empty);
        Assert.That(Directory.GetFiles(AppContext.BaseDirectory, "*torch*", SearchOption.AllDirectories), Is.Empty);
    }
}
