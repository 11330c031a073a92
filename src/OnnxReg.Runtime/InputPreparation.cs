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
            (description.Normalization ?? Normalization.None).Apply(pixels, inputs);
            return;
        }
        for (int i = 0; i < pixels.Length; i++) inputs[i] = pixels[i];
    }
}
