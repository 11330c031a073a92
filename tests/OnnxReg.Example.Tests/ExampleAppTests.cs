using OnnxReg.Tests.Shared;
using System.Diagnostics;
using System.Xml.Linq;
using OnnxReg.Data;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace OnnxReg.Example.Tests;

/// <summary>The "embed inference in an app" path: tools/OnnxReg.Example references the runtime library (with its images add-on) only,
/// publishes without libtorch, and classifies an image file with a reference model.</summary>
public class ExampleAppTests
{
    private static readonly string Root = RepositoryPaths.Root;
    private static readonly string Project = Path.Combine(Root, "tools", "OnnxReg.Example", "OnnxReg.Example.csproj");

    [Test]
    public void OnlyProjectReference_IsTheRuntimeLibrary_AndItHasNoPackagesOfItsOwn()
    {
        var project = XDocument.Load(Project);
        var references = project.Descendants("ProjectReference").Select(r => r.Attribute("Include")!.Value.Replace('\\', '/')).ToList();
        Assert.That(references, Is.EqualTo(new[] { "../../src/OnnxReg.Runtime.Images/OnnxReg.Runtime.Images.csproj" }));
        Assert.That(project.Descendants("PackageReference"), Is.Empty);
    }

    [Test]
    [Category("Slow")]
    public void PublishedApp_HasNoLibtorch_AndClassifiesAnImage()
    {
        var folder = Path.Combine(Path.GetTempPath(), "onnxreg-example-" + Guid.NewGuid().ToString("N"));
        try
        {
            var publish = Run("dotnet", $"publish \"{Project}\" -c Release -o \"{folder}\" -nologo -v quiet");
            Assert.That(publish.ExitCode, Is.EqualTo(0), publish.Output);
            var files = Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Select(Path.GetFileName).ToList();
            Assert.That(files, Has.Some.EqualTo("classify.dll"));
            Assert.That(files, Has.Some.Contains("onnxruntime"));
            Assert.That(files.Where(f => f!.Contains("torch", StringComparison.OrdinalIgnoreCase)), Is.Empty, "no TorchSharp or libtorch file");
            // Native binaries for this platform only (the default RuntimeIdentifier): no other OS's ONNX Runtime, no runtimes/ tree.
            string foreign = OperatingSystem.IsWindows() ? ".so" : ".dll";
            Assert.That(files.Where(f => f!.StartsWith("onnxruntime", StringComparison.Ordinal) || f.StartsWith("libonnxruntime", StringComparison.Ordinal))
                .Where(f => f!.EndsWith(foreign, StringComparison.Ordinal)), Is.Empty, "no other platform's ONNX Runtime");
            Assert.That(Directory.Exists(Path.Combine(folder, "runtimes")), Is.False, "native files for every platform would sit under runtimes/");
            long bytes = Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
            Assert.That(bytes, Is.LessThan(100L << 20), $"published app is {bytes / (1 << 20)} MiB; with every platform's ONNX Runtime it was 244 MiB");

            var test = DatasetSource.Load(DatasetSource.Embedded).Test;
            var image = Path.Combine(folder, "boot.png");
            using (var png = Image.LoadPixelData<L8>(test.Pixels.AsSpan(0, 784), 28, 28)) png.SaveAsPng(image);
            var model = Path.Combine(Root, "models", "cnn-regularized.onnx");
            var run = Run("dotnet", $"\"{Path.Combine(folder, "classify.dll")}\" \"{model}\" \"{image}\"");
            Assert.That(run.ExitCode, Is.EqualTo(0), run.Output);
            Assert.That(run.Output, Does.StartWith($"{image}: Ankle boot 0."), "the first test image is an ankle boot");

            var usage = Run("dotnet", $"\"{Path.Combine(folder, "classify.dll")}\"");
            Assert.That(usage.ExitCode, Is.EqualTo(2));
            Assert.That(usage.Output, Does.Contain("usage: classify MODEL.onnx IMAGE"));
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    private static (int ExitCode, string Output) Run(string file, string arguments)
    {
        var start = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Root };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{file} {arguments} did not finish in 5 minutes");
        }
        return (process.ExitCode, output.Result + error.Result);
    }
}
