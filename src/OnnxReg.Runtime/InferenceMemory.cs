using Microsoft.ML.OnnxRuntime;
using OnnxReg.Data;

namespace OnnxReg.Runtime;

/// <summary>
/// One memory arena with a ceiling (<see cref="ResourceLimits.MaxInferenceMemoryBytes"/>) that every ONNX Runtime
/// session of the process allocates its tensors from. Without it a 1 KB model whose graph builds a 40,000 × 40,000
/// tensor at run time (ConstantOfShape) took 6.4 GB; with it ONNX Runtime refuses the allocation and the call fails
/// with a message naming the limit.
/// </summary>
internal static class InferenceMemory
{
    private static readonly Lazy<long> Registered = new(Register);

    /// <summary>The ceiling in force (registering the arena on first use).</summary>
    public static long Limit => Registered.Value;

    /// <summary>Makes <paramref name="options"/> use the capped arena.</summary>
    public static void Apply(SessionOptions options)
    {
        _ = Registered.Value;
        options.AddSessionConfigEntry("session.use_env_allocators", "1");
    }

    /// <summary>Whether <paramref name="e"/> is ONNX Runtime refusing an allocation past the arena's ceiling.</summary>
    public static bool IsOutOfMemory(OnnxRuntimeException e) =>
        e.Message.Contains("Failed to allocate memory", StringComparison.OrdinalIgnoreCase)
        || e.Message.Contains("Available memory of", StringComparison.OrdinalIgnoreCase);

    /// <summary>The one-line message for such a refusal.</summary>
    public static string Describe(string path) =>
        $"Model '{PrintableText.Escape(path)}' needed more than the {Limit / (1 << 20):N0} MiB ONNX Runtime may use for its tensors " +
        $"({ResourceLimits.HowToRaise(ResourceLimits.MaxInferenceMemoryVariable)}); a model that needs that much for one batch is likely hostile or far larger than OnnxReg's.";

    private static long Register()
    {
        long limit = Math.Min(ResourceLimits.MaxInferenceMemoryBytes, uint.MaxValue);
        using var memory = new OrtMemoryInfo(OrtMemoryInfo.allocatorCPU, OrtAllocatorType.ArenaAllocator, 0, OrtMemType.Default);
        // Arena growth by what is asked for (strategy 1), no initial chunk or fragmentation settings of our own.
        using var arena = new OrtArenaCfg((uint)limit, 1, -1, -1);
        OrtEnv.Instance().CreateAndRegisterAllocator(memory, arena);
        return limit;
    }
}
