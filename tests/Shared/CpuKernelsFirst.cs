using System.Runtime.CompilerServices;

namespace OnnxReg.Tests.Shared;

/// <summary>Applies <see cref="OnnxReg.Training.CpuKernels"/> when the test assembly loads: a test that calls
/// TorchSharp before it touches any OnnxReg type would otherwise load libtorch with its own kernel choice, and the
/// suite's numbers would depend on which test ran first. Linked into the test projects that train.</summary>
internal static class CpuKernelsFirst
{
#pragma warning disable CA2255 // runs before any test, which is the point
    [ModuleInitializer]
    internal static void Apply() => OnnxReg.Training.CpuKernels.Apply();
#pragma warning restore CA2255
}
