using OnnxReg.Data;

namespace OnnxReg.Runtime;

/// <summary>Turns raw pixels (0–255) into what a model's input takes, as its description says: normalized values, or
/// the pixel values themselves for a graph that normalizes them.</summary>
internal static class InputPreparation
{
    public static void Prepare(ReadOnlySpan<byte> pixels, Span<float> inputs, ModelDescription description)
    {
        if (inputs.Length < pixels.Length)
            throw new ArgumentException($"The input buffer holds {inputs.Length} values; {pixels.Length} are needed.", nameof(inputs));
        if (description.InputRange == InputRange.Normalized)
        {
            (description.Normalization ?? Normalization.None).Apply(pixels, inputs, PixelsPerChannel(description, pixels.Length));
            return;
        }
        for (int i = 0; i < pixels.Length; i++) inputs[i] = pixels[i];
    }

    // Height × width for an image input ([C, H, W]); a per-channel normalization needs it to tell channels apart.
    private static int PixelsPerChannel(ModelDescription description, int length) =>
        description.InputShape is { Count: 3 } shape ? (int)(shape[1] * shape[2]) : Math.Max(1, length);
}
