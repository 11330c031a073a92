using System.Text;
using static TorchSharp.torch;

namespace OnnxReg.Training.Checkpoints;

/// <summary>
/// Checks an optimizer state saved by TorchSharp (<c>save_state_dict</c>) before <c>load_state_dict</c> reads it.
/// TorchSharp trusts the bytes: a conditional state tensor (AMSGrad's maximum, SGD's momentum buffer) is allocated
/// with whatever dtype and shape the stream declares, and its numbers are read without bounds, so a damaged blob could
/// crash libtorch or demand gigabytes. This walks the exact layout TorchSharp 0.107 writes for the three optimizers
/// OnnxReg builds, and accepts it only if every tensor has its parameter's dtype and shape, every count matches, the
/// hyperparameters are exactly those of the run's configuration, step counts are within what the run can reach, and
/// nothing is left over. (A β₁ of 1e300 is finite, but libtorch can only fail on it inside Adam's step, far from the
/// file that caused it.)
/// </summary>
internal static class OptimizerStateFormat
{
    /// <param name="blob">The saved state to check.</param>
    /// <param name="kind">The optimizer the run builds.</param>
    /// <param name="parameters">The model's parameters, in the optimizer's order.</param>
    /// <param name="fresh">The state the run's own, newly built optimizer saves: its hyperparameters are the configuration's.</param>
    /// <param name="maxStep">The most optimizer steps the run can have taken.</param>
    /// <exception cref="InvalidDataException">The blob does not have the layout of this optimizer over these parameters.</exception>
    public static void Check(byte[] blob, OptimizerKind kind, IReadOnlyList<Tensor> parameters, byte[] fresh, long maxStep)
    {
        ArgumentNullException.ThrowIfNull(blob);
        ArgumentNullException.ThrowIfNull(fresh);
        var (freshReader, configured) = ReadHeadAndOptions(fresh, kind, parameters.Count);
        freshReader.Dispose();
        var (reader, options) = ReadHeadAndOptions(blob, kind, parameters.Count);
        using (reader)
        try
        {
            // Index 1 is the current learning rate, which the trainer sets again before every epoch.
            for (int i = 0; i < options.Length; i++)
                if (i != 1 && options[i] != configured[i])
                    throw Invalid($"hyperparameter {i} is {options[i]}, but the configuration gives {configured[i]}");
            foreach (var parameter in parameters)
            {
                if (kind != OptimizerKind.Sgd)
                {
                    long step = reader.ReadInt64();
                    if (step < 0 || step > maxStep) throw Invalid($"a step count is {step}; the run takes at most {maxStep}");
                    TensorLike(reader, parameter);
                    TensorLike(reader, parameter);
                }
                if (Flag(reader)) TensorLike(reader, parameter);
            }
            if (reader.BaseStream.Position != blob.Length)
                throw Invalid($"{blob.Length - reader.BaseStream.Position} bytes follow the last state");
        }
        catch (EndOfStreamException)
        {
            throw Invalid("it ends early");
        }
    }

    // Reads the optimizer's name, the group and state counts, and the hyperparameters (flags as 0 or 1), leaving the
    // reader at the first per-parameter state.
    private static (BinaryReader Reader, double[] Options) ReadHeadAndOptions(byte[] blob, OptimizerKind kind, int parameterCount)
    {
        var reader = new BinaryReader(new MemoryStream(blob, writable: false), Encoding.UTF8);
        try
        {
            string expected = kind switch { OptimizerKind.Adam => "Adam", OptimizerKind.AdamW => "AdamW", _ => "SGD" };
            int nameLength = reader.ReadByte(); // a short name: one 7-bit length byte
            if (nameLength != expected.Length)
                throw Invalid($"it names an optimizer of {nameLength} characters, not {expected}");
            var name = Encoding.UTF8.GetString(reader.ReadBytes(nameLength));
            if (name != expected)
                throw Invalid($"it is for {Data.PrintableText.Escape(name)}, not {expected}");
            if (Decode(reader) != 1)
                throw Invalid("it has other than one parameter group");
            if (Decode(reader) != parameterCount)
                throw Invalid($"it does not have one state per parameter ({parameterCount})");
            // Initial and current learning rate, then momentum, dampening, weight decay, nesterov, maximize (SGD) or
            // beta1, beta2, eps, weight decay, amsgrad, maximize (Adam, AdamW).
            int doubles = kind == OptimizerKind.Sgd ? 5 : 6;
            var options = new double[doubles + 2];
            for (int i = 0; i < doubles; i++)
                if (!double.IsFinite(options[i] = reader.ReadDouble())) throw Invalid("a hyperparameter is not finite");
            options[doubles] = Flag(reader) ? 1 : 0;
            options[doubles + 1] = Flag(reader) ? 1 : 0;
            return (reader, options);
        }
        catch (EndOfStreamException)
        {
            reader.Dispose();
            throw Invalid("it ends early");
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    private static void TensorLike(BinaryReader reader, Tensor parameter)
    {
        if (Decode(reader) != (long)parameter.dtype)
            throw Invalid("a state tensor's dtype differs from its parameter's");
        if (Decode(reader) != parameter.dim())
            throw Invalid("a state tensor's rank differs from its parameter's");
        foreach (long size in parameter.shape)
            if (Decode(reader) != size)
                throw Invalid("a state tensor's shape differs from its parameter's");
        long bytes = parameter.NumberOfElements * parameter.ElementSize;
        if (bytes > reader.BaseStream.Length - reader.BaseStream.Position)
            throw Invalid("a state tensor runs past the end");
        reader.BaseStream.Position += bytes;
    }

    // TorchSharp's unsigned LEB128, limited to 9 bytes (63 bits), where its own decoder still agrees with ours.
    private static long Decode(BinaryReader reader)
    {
        long result = 0;
        for (int i = 0; i < 9; i++)
        {
            long b = reader.ReadByte();
            result |= (b & 0x7f) << (i * 7);
            if ((b & 0x80) == 0) return result;
        }
        throw Invalid("a count is longer than 9 bytes");
    }

    private static bool Flag(BinaryReader reader) => reader.ReadByte() switch
    {
        0 => false,
        1 => true,
        var b => throw Invalid($"a flag byte is {b}, not 0 or 1"),
    };

    private static InvalidDataException Invalid(string problem) => new($"The optimizer state is not valid: {problem}.");
}
