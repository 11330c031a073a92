using System.Buffers.Binary;
using TorchSharp;
using static TorchSharp.torch;

namespace OnnxReg.Training;

/// <summary>libtorch generator states as plain bytes, so checkpoints can save them and put them back.</summary>
/// <remarks>
/// libtorch checks a state it is given and throws a C++ exception on a bad one, which TorchSharp does not catch: the
/// process aborts. So a state from a file is checked here first, field by field, against the layout of libtorch's CPU
/// generator state (<c>CPUGeneratorImplState</c>: the legacy Mersenne-twister record, then the cached normal sample).
/// </remarks>
internal static class RandomState
{
    private const int StateWords = 624;                     // MERSENNE_STATE_N
    private const int LeftOffset = 8, SeededOffset = 12, NextOffset = 16;
    private const int NormalValidOffset = 24 + StateWords * 8 + 3 * 8; // after the_initial_seed, left, seeded, next, state, normal_x/y/rho

    /// <summary>The size in bytes of this libtorch's CPU generator state.</summary>
    public static int Length { get; } = MeasureLength();

    private static int MeasureLength()
    {
        using var generator = new Generator(0);
        return Capture(generator).Length;
    }

    /// <summary>The state of <paramref name="generator"/>, or of libtorch's global generator (dropout's) when null.</summary>
    public static byte[] Capture(Generator? generator = null)
    {
        using var state = generator is null ? torch.random.get_rng_state() : generator.get_state();
        return state.bytes.ToArray();
    }

    /// <summary>Throws unless <paramref name="bytes"/> is a state libtorch will accept.</summary>
    /// <exception cref="InvalidDataException">Wrong size, or a field out of the range libtorch checks.</exception>
    public static void Validate(byte[] bytes, string what)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        if (bytes.Length != Length)
            throw new InvalidDataException($"The {what} random state has {bytes.Length} bytes; a libtorch CPU generator state has {Length}.");
        int left = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(LeftOffset));
        int seeded = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(SeededOffset));
        ulong next = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(NextOffset));
        int normalValid = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(NormalValidOffset));
        byte floatNormalValid = bytes[^4]; // the bool after the cached float sample (then padding)
        // libtorch accepts any left in [1, 624] and next ≤ 624, but its twister reads state[next] for `left` more draws
        // before refilling, so a state whose left + next passes 625 reads past the 624-word array (a crash when that
        // memory is unmapped). Every state a generator reaches is either just seeded (left 1, next 0) or has
        // left + next = 625 (measured: 615 + 10 after ten draws, 526 + 99 after a permutation of 100).
        bool reachable = (left == 1 && next == 0) || (left is >= 1 and <= StateWords && (ulong)left + next == StateWords + 1);
        if (!reachable || seeded != 1 || normalValid is not (0 or 1) || floatNormalValid > 1)
            throw new InvalidDataException($"The {what} random state is not a valid Mersenne-twister state (left {left}, seeded {seeded}, next {next}).");
    }

    /// <summary>Sets <paramref name="generator"/> (the global generator when null) to a state taken by <see cref="Capture"/>.</summary>
    /// <exception cref="InvalidDataException">The state is not one libtorch accepts (see <see cref="Validate"/>).</exception>
    public static void Restore(byte[] bytes, Generator? generator = null)
    {
        Validate(bytes, generator is null ? "global" : "generator");
        using var state = tensor(bytes, ScalarType.Byte);
        if (generator is null) torch.random.set_rng_state(state);
        else generator.set_state(state);
    }
}
