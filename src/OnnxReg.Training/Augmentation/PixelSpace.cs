using OnnxReg.Data;
using static TorchSharp.torch;

namespace OnnxReg.Training.Augmentation;

/// <summary>
/// Converts a batch between its normalized values and 0–1 pixel values, channel by channel, for the techniques that
/// must see colours as colours (brightness, contrast, saturation, hue, grayscale) and for the background that geometric
/// transforms fill in. The per-channel constants are made once per channel count and owned here.
/// </summary>
internal sealed class PixelSpace(Normalization normalization) : IDisposable
{
    private readonly Dictionary<long, (Tensor Mean, Tensor Std, Tensor Background)> _constants = [];

    /// <summary>The normalization the batches carry.</summary>
    public Normalization Normalization { get; } = normalization;

    /// <summary>The one background value when every channel shares the normalization (the fast path of a scalar), else null.</summary>
    public float? SharedBackground => Normalization.IsShared ? Normalization.BackgroundOf(0) : null;

    /// <summary>Each channel's normalized black, [1, C, 1, 1].</summary>
    public Tensor Background(long channels) => Constants(channels).Background;

    /// <summary>0–1 pixel values of normalized <paramref name="images"/> [N, C, H, W]: x · std + mean.</summary>
    public Tensor ToUnit(Tensor images)
    {
        var (mean, std, _) = Constants(images.shape[1]);
        return images.mul(std).add(mean);
    }

    /// <summary>Normalized values of 0–1 <paramref name="pixels"/> [N, C, H, W]: (x − mean) / std.</summary>
    public Tensor FromUnit(Tensor pixels)
    {
        var (mean, std, _) = Constants(pixels.shape[1]);
        return pixels.sub(mean).div(std);
    }

    private (Tensor Mean, Tensor Std, Tensor Background) Constants(long channels)
    {
        if (_constants.TryGetValue(channels, out var known)) return known;
        Normalization.Validate((int)channels);
        var means = Enumerable.Range(0, (int)channels).Select(Normalization.MeanOf).ToArray();
        var stds = Enumerable.Range(0, (int)channels).Select(Normalization.StdOf).ToArray();
        var backgrounds = Enumerable.Range(0, (int)channels).Select(Normalization.BackgroundOf).ToArray();
        var made = (
            tensor(means).view(1, channels, 1, 1).DetachFromDisposeScope(),
            tensor(stds).view(1, channels, 1, 1).DetachFromDisposeScope(),
            tensor(backgrounds).view(1, channels, 1, 1).DetachFromDisposeScope());
        _constants[channels] = made;
        return made;
    }

    /// <summary>Frees the constants.</summary>
    public void Dispose()
    {
        foreach (var (mean, std, background) in _constants.Values)
        {
            mean.Dispose();
            std.Dispose();
            background.Dispose();
        }
        _constants.Clear();
    }
}
