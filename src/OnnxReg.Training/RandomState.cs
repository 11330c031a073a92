using TorchSharp;
using static TorchSharp.torch;

namespace OnnxReg.Training;

/// <summary>libtorch generator states as plain bytes, so checkpoints can save them and put them back.</summary>
internal static class RandomState
{
    /// <summary>The state of <paramref name="generator"/>, or of libtorch's global generator (dropout's) when null.</summary>
    public static byte[] Capture(Generator? generator = null)
    {
        using var state = generator is null ? torch.random.get_rng_state() : generator.get_state();
        return state.bytes.ToArray();
    }

    /// <summary>Sets <paramref name="generator"/> (the global generator when null) to a state taken by <see cref="Capture"/>.</summary>
    public static void Restore(byte[] bytes, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        using var state = tensor(bytes, ScalarType.Byte);
        if (generator is null) torch.random.set_rng_state(state);
        else generator.set_state(state);
    }
}
