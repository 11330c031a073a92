using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace OnnxReg.Training.Augmentation;

/// <summary>
/// The random draws every technique samples from: one seeded <see cref="Generator"/> for the whole run, so a seed
/// reproduces every batch and a checkpoint resumes the sequence. Techniques draw in the registry's order, so adding
/// one never changes what the others draw when it is off.
/// </summary>
internal sealed class AugmentationRandom
{
    internal AugmentationRandom(Generator generator, PixelSpace? pixels = null) =>
        (Generator, Pixels) = (generator, pixels ?? new PixelSpace(Data.Normalization.None));

    /// <summary>How the batch's values relate to 0–1 pixel values (for colour techniques).</summary>
    internal PixelSpace Pixels { get; }

    /// <summary>The generator (owned by the pipeline).</summary>
    internal Generator Generator { get; }

    /// <summary>1 where the technique applies to a sample (probability <paramref name="p"/>), else 0, as float [N];
    /// draws nothing when <paramref name="p"/> ≥ 1.</summary>
    internal Tensor Chosen(long count, double p) =>
        p >= 1 ? ones(count) : rand(count, generator: Generator).lt(p).to(ScalarType.Float32);

    /// <summary>[N] values uniform in [low, high).</summary>
    internal Tensor Uniform(long count, double low, double high) =>
        rand(count, generator: Generator).mul(high - low).add(low);

    // The managed draws below take the generator's numbers exactly as the tensor forms above do (one rand call each)
    // and repeat their float32 arithmetic in the same order — libtorch casts a Scalar to the tensor's float32 before
    // operating — so they give the same bits and leave the generator in the same state, without a kernel launch per
    // operation. The geometric techniques use them: their few numbers per image go straight into the affine matrices.

    /// <summary>[N] numbers uniform in [0, 1) from the generator, as managed floats.</summary>
    internal float[] Draws(long count)
    {
        using var draws = rand(count, generator: Generator);
        return MemoryMarshal.Cast<byte, float>(draws.bytes).ToArray();
    }

    /// <summary>The managed form of <see cref="Uniform"/>: the same values, bit for bit.</summary>
    internal float[] UniformValues(long count, double low, double high)
    {
        var values = Draws(count);
        float range = (float)(high - low), offset = (float)low;
        for (int i = 0; i < values.Length; i++) values[i] = values[i] * range + offset;
        return values;
    }

    /// <summary>The managed form of <see cref="Chosen"/>: 1 where the technique applies, else 0; null (draws nothing)
    /// when <paramref name="p"/> ≥ 1.</summary>
    internal float[]? ChosenValues(long count, double p)
    {
        if (p >= 1) return null;
        var values = Draws(count);
        float threshold = (float)p; // libtorch compares a float32 tensor with the Scalar cast to float32
        for (int i = 0; i < values.Length; i++) values[i] = values[i] < threshold ? 1f : 0f;
        return values;
    }

    /// <summary><paramref name="values"/> times <see cref="ChosenValues"/> in place (0 where the technique does not
    /// apply, with the sign a float product gives); unchanged, drawing nothing, when <paramref name="p"/> ≥ 1.</summary>
    internal float[] KeepChosen(float[] values, double p)
    {
        if (ChosenValues(values.Length, p) is { } chosen)
            for (int i = 0; i < values.Length; i++) values[i] *= chosen[i];
        return values;
    }
}
