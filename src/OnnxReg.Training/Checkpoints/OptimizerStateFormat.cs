using System.Text;
using static TorchSharp.torch;

namespace OnnxReg.Training.Checkpoints;

/// <summary>
/// Checks an optimizer state saved by TorchSharp (<c>save_state_dict</c>) before <c>load_state_dict</c> reads it.
/// TorchSharp trusts the bytes: a conditional state tensor (AMSGrad's maximum, SGD's momentum buffer) is allocated
/// with whatever dtype and shape the stream declares, and its numbers are read without bounds, so a damaged blob could
/// crash libtorch or demand gigabytes. This walks the exact layout TorchSharp 0.107 writes for the three optimizers
/// OnnxReg builds, and accepts it only if every tensor has its parameter's dtype and shape, every count matches, and
/// nothing is left over.
/// </summary>
internal static class OptimizerStateFormat
{
    /// <exception cref="InvalidDataException">The blob does not have the layout of this optimizer over these parameters.</exception>
    public static void Check(byte[] blob, OptimizerKind kind, IReadOnlyList<Tensor> parameters)
    {
        ArgumentNullException.ThrowIfNull(blob);
        using var reader = new BinaryReader(new MemoryStream(blob, writable: false), Encoding.UTF8);
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
            if (Decode(reader) != parameters.Count)
                throw Invalid($"it does not have one state per parameter ({parameters.Count})");
            Finite(reader, 2); // initial and current learning rate
            if (kind == OptimizerKind.Sgd) { Finite(reader, 3); Flags(reader, 2); } // momentum, dampening, weight decay; nesterov, maximize
            else { Finite(reader, 4); Flags(reader, 2); }                        // beta1, beta2, eps, weight decay; amsgrad, maximize
            foreach (var parameter in parameters)
            {
                if (kind != OptimizerKind.Sgd)
                {
                    if (reader.ReadInt64() < 0) throw Invalid("a step count is negative");
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

    private static void Finite(BinaryReader reader, int count)
    {
        for (int i = 0; i < count; i++)
            if (!double.IsFinite(reader.ReadDouble())) throw Invalid("a hyperparameter is not finite");
    }

    private static void Flags(BinaryReader reader, int count)
    {
        for (int i = 0; i < count; i++) Flag(reader);
    }

    private static bool Flag(BinaryReader reader) => reader.ReadByte() switch
    {
        0 => false,
        1 => true,
        var b => throw Invalid($"a flag byte is {b}, not 0 or 1"),
    };

    private static InvalidDataException Invalid(string problem) => new($"The optimizer state is not valid: {problem}.");
}
