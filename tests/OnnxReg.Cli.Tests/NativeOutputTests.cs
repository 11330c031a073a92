using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace OnnxReg.Cli.Tests;

/// <summary>
/// What libtorch does on its own in a real <c>onnxreg</c> process: its warnings never reach the terminal, and its
/// convolutions run on the capped (AVX2) kernels. Each test first shows that its trigger is real, so it cannot pass by
/// accident on a CPU where libtorch happens to be quiet.
/// </summary>
public class NativeOutputTests : TempFolderTest
{
    private static readonly string[] SmallCnn = ["train", "--model", "cnn", "--channels", "4,8", "--hidden", "16", "--epochs", "1", "--train-size", "300", "--seed", "3", "-o", "m.onnx"];

    private static bool CpuHasAvx2AndFma => RuntimeInformation.ProcessArchitecture == Architecture.X64 && Avx2.IsSupported && Fma.IsSupported;

    [Test]
    public void CnnTrain_PrintsNoLibTorchWarning_EvenWhenLibTorchWarns()
    {
        // An invalid ATEN_CPU_CAPABILITY makes libtorch warn on every CPU ("ignoring invalid value"), as NNPACK does on
        // CPUs it does not support: OnnxReg keeps a variable the user set, and must still keep the warning off stderr.
        var warns = new Dictionary<string, string> { ["ATEN_CPU_CAPABILITY"] = "not-a-capability" };
        var shown = ChildCli.Run(Folder, new Dictionary<string, string>(warns) { ["TORCH_CPP_LOG_LEVEL"] = "WARNING" }, SmallCnn);
        Assert.That(shown.ExitCode, Is.EqualTo(CliApp.Success), shown.Error);
        Assert.That(shown.Error, Does.Contain("[W").And.Contain("ATEN_CPU_CAPABILITY"), "the trigger is real: asked for its warnings, libtorch prints them");

        var run = ChildCli.Run(Folder, warns, SmallCnn);
        Assert.That(run.ExitCode, Is.EqualTo(CliApp.Success), run.Error);
        Assert.That(run.Error, Is.Empty, "nothing on stderr from a run that worked");
        Assert.That(run.Output, Does.Contain("epoch   1/1"));
    }

    [Test]
    public void CnnTrain_RunsItsConvolutionsOnAvx2Kernels()
    {
        Assume.That(CpuHasAvx2AndFma, "the cap applies to CPUs with AVX2 and FMA");
        // oneDNN names the instruction set and each kernel it runs when ONEDNN_VERBOSE is set.
        var verbose = new Dictionary<string, string> { ["ONEDNN_VERBOSE"] = "1" };
        var run = ChildCli.Run(Folder, verbose, SmallCnn);
        Assert.That(run.ExitCode, Is.EqualTo(CliApp.Success), run.Error);
        var convolutions = run.Output.Split('\n').Where(l => l.Contains(",convolution,", StringComparison.Ordinal)).ToList();
        Assert.That(convolutions, Is.Not.Empty, "oneDNN ran the convolutions");
        Assert.That(run.Output, Does.Contain("isa:Intel AVX2"));
        Assert.That(convolutions.Where(l => l.Contains("avx512", StringComparison.OrdinalIgnoreCase)), Is.Empty);

        if (!Avx512F.IsSupported) return;
        // On an AVX-512 CPU, the same run left to libtorch picks the AVX-512 kernels: the cap is what changed them.
        var native = ChildCli.Run(Folder, new Dictionary<string, string>(verbose) { ["ONNXREG_CPU_KERNELS"] = "native" }, SmallCnn);
        Assert.That(native.ExitCode, Is.EqualTo(CliApp.Success), native.Error);
        Assert.That(native.Output, Does.Contain("jit:avx512"));
        Assert.That(native.Output, Does.Contain("cpu: libtorch's fastest kernels for this CPU (ONNXREG_CPU_KERNELS=native)"));
    }
}
