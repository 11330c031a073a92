using System.Diagnostics;
using OnnxReg.Tests.Shared;

namespace OnnxReg.Cli.Tests;

/// <summary>
/// OnnxReg as people install it: the libraries and the tool packed into a local feed, the tool installed from it and
/// run, and an app built against the runtime package (not a project reference). Packing builds into its own
/// artifacts folder, so the binaries the rest of the suite runs from are never rewritten; each run packs a version
/// of its own, so the NuGet cache cannot hand back an older package.
/// </summary>
[Category("Slow")]
public class PackagingTests : TempFolderTest
{
    private static readonly string Root = RepositoryPaths.Root;
    private string _version = null!;
    private string _feed = null!;

    [SetUp]
    public void ChooseVersion()
    {
        _version = $"0.1.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";
        _feed = Path.Combine(Folder, "feed");
    }

    [TearDown]
    public void ForgetTestPackages()
    {
        var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (var id in new[] { "onnxreg", "onnxreg.data", "onnxreg.datasets", "onnxreg.runtime", "onnxreg.runtime.images" })
        {
            var folder = Path.Combine(cache, id, _version);
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    private void Pack(string project, bool allPlatforms, string extra = "")
    {
        var pack = Run("dotnet", $"pack \"{Path.Combine(Root, project)}\" -c Release -o \"{_feed}\" --artifacts-path \"{Path.Combine(Folder, "artifacts")}\" -p:Version={_version}"
            + (allPlatforms ? " -p:OnnxRegAllPlatforms=true" : "") + extra + " -nologo -v quiet", Root);
        Assert.That(pack.ExitCode, Is.EqualTo(0), pack.Output);
    }

    /// <summary>The platform this test runs on, as the packages name it.</summary>
    private static string Platform =>
        (OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux") + "-" + System.Runtime.InteropServices.RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant();

    [Test]
    public void Tool_PackedIntoALocalFeed_InstallsAndTrains()
    {
        // As published (-p:OnnxRegAllPlatforms=true), but for this platform only, to keep the suite short: the pointer
        // package 'onnxreg' and the platform's own, which carries its natives and none of libtorch's unused files.
        Pack("tools/OnnxReg.Cli/OnnxReg.Cli.csproj", allPlatforms: true, extra: $" -p:RuntimeIdentifiers={Platform}");
        Assert.That(File.Exists(Path.Combine(_feed, $"onnxreg.{_version}.nupkg")), Is.True);
        var platformPackage = Path.Combine(_feed, $"onnxreg.{Platform}.{_version}.nupkg");
        Assert.That(File.Exists(platformPackage), Is.True, "the platform's own package");
        using (var pointer = System.IO.Compression.ZipFile.OpenRead(Path.Combine(_feed, $"onnxreg.{_version}.nupkg")))
            Assert.That(pointer.Entries.Sum(e => e.Length), Is.LessThan(1 << 20), "the top-level package only names the platform packages");
        using (var package = System.IO.Compression.ZipFile.OpenRead(platformPackage))
        {
            var names = package.Entries.Select(e => e.FullName).ToList();
            Assert.That(names, Has.Some.EndsWith("libtorch_cpu.so").Or.Some.EndsWith("torch_cpu.dll").Or.Some.EndsWith("libtorch_cpu.dylib"));
            Assert.That(names.Where(n => n.Contains("torch_python") || n.Contains("_test.") || n.Contains("backend_with_compiler")), Is.Empty, "libtorch's unused files");
            Assert.That(names.Where(n => n.Contains("/runtimes/")), Is.Empty, "natives of this platform only, beside the tool");
        }

        var tools = Path.Combine(Folder, "tools");
        var install = Run("dotnet", $"tool install onnxreg --tool-path \"{tools}\" --add-source \"{_feed}\" --version {_version}", Folder);
        Assert.That(install.ExitCode, Is.EqualTo(0), install.Output);
        var onnxreg = Path.Combine(tools, "onnxreg");

        var help = Run(onnxreg, "--help", Folder);
        Assert.That(help.ExitCode, Is.EqualTo(0), help.Output);
        Assert.That(help.Output, Does.Contain("Commands:").And.Contain("train").And.Contain("export"));
        var train = Run(onnxreg, $"train --train-size 200 --epochs 1 -o \"{Path.Combine(Folder, "m.onnx")}\"", Folder);
        Assert.That(train.ExitCode, Is.EqualTo(0), train.Output);
        Assert.That(train.Output, Does.Contain("test accuracy (ONNX Runtime):"));
        Assert.That(File.Exists(Path.Combine(Folder, "m.onnx")), Is.True);
    }

    [Test]
    public void App_BuiltAgainstTheRuntimePackages_ClassifiesTheSampleImage()
    {
        foreach (var project in new[] { "OnnxReg.Data", "OnnxReg.Datasets", "OnnxReg.Runtime", "OnnxReg.Runtime.Images" })
            Pack($"src/{project}/{project}.csproj", allPlatforms: true);
        var nuspec = System.IO.Compression.ZipFile.OpenRead(Path.Combine(_feed, $"OnnxReg.Runtime.{_version}.nupkg"));
        using (nuspec)
        using (var reader = new StreamReader(nuspec.GetEntry("OnnxReg.Runtime.nuspec")!.Open()))
        {
            var text = reader.ReadToEnd();
            Assert.That(text, Does.Contain("<license type=\"expression\">MIT</license>").And.Contain("<readme>README.md</readme>")
                .And.Contain($"<dependency id=\"OnnxReg.Data\" version=\"{_version}\"").And.Not.Contain("<dependency id=\"TorchSharp")
                .And.Not.Contain("<dependency id=\"SixLabors"), "the runtime package carries no image decoder");
            Assert.That(text, Does.Not.Contain("Package Description"));
        }

        var app = Path.Combine(Folder, "app");
        Directory.CreateDirectory(app);
        File.WriteAllText(Path.Combine(app, "app.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="OnnxReg.Runtime.Images" Version="{_version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "Program.cs"), """
            using OnnxReg.Runtime;
            using var classifier = OnnxClassifier.Load(args[0]);
            var prediction = classifier.PredictImage(args[1]);
            Console.WriteLine($"{prediction.ClassName} {prediction.Confidence:0.000}");
            """);
        // Directory.Build.props/targets of this repository must not leak into the app: it lives in its own folder tree.
        var build = Run("dotnet", $"build -c Release --source \"{_feed}\" --source https://api.nuget.org/v3/index.json -nologo -v quiet", app);
        Assert.That(build.ExitCode, Is.EqualTo(0), build.Output);
        var model = Path.Combine(Root, "models", "cnn-regularized.onnx");
        var image = Path.Combine(Root, "tools", "OnnxReg.Example", "samples", "ankle-boot.png");
        var run = Run("dotnet", $"run -c Release --no-build -- \"{model}\" \"{image}\"", app);
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Output);
        Assert.That(run.Output.Trim(), Does.StartWith("Ankle boot 0."));

        // A plain publish carries ONNX Runtime for this platform only (the package's buildTransitive targets), and runs.
        var published = Path.Combine(Folder, "published");
        var publish = Run("dotnet", $"publish -c Release -o \"{published}\" --source \"{_feed}\" -nologo -v quiet", app);
        Assert.That(publish.ExitCode, Is.EqualTo(0), publish.Output);
        long bytes = Directory.EnumerateFiles(published, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        var platforms = Directory.Exists(Path.Combine(published, "runtimes")) ? Directory.GetDirectories(Path.Combine(published, "runtimes")).Select(Path.GetFileName).ToList() : new List<string?>();
        Assert.That(platforms, Is.Empty.Or.EqualTo(new[] { Platform }), "ONNX Runtime for this platform only");
        Assert.That(bytes, Is.LessThan(40L << 20), $"published app of {bytes:N0} bytes");
        TestContext.Progress.WriteLine($"published app: {bytes / 1048576.0:0.0} MiB");
        var fromPublished = Run("dotnet", $"\"{Path.Combine(published, "app.dll")}\" \"{model}\" \"{image}\"", app);
        Assert.That(fromPublished.ExitCode, Is.EqualTo(0), fromPublished.Output);
        Assert.That(fromPublished.Output.Trim(), Does.StartWith("Ankle boot 0."));
    }

    private static (int ExitCode, string Output) Run(string file, string arguments, string workingDirectory)
    {
        var start = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory };
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(8)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{file} {arguments} did not finish in 8 minutes");
        }
        return (process.ExitCode, output.Result + error.Result);
    }
}
