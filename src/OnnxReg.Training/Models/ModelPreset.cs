namespace OnnxReg.Training.Models;

/// <summary>The model architectures <see cref="ModelPresets"/> builds.</summary>
public enum ModelPreset
{
    /// <summary>Flatten, then fully connected layers with ReLU (and dropout where asked).</summary>
    Mlp,

    /// <summary>Two 3×3 convolution + ReLU + 2×2 max-pool stages, then a fully connected head.</summary>
    Cnn,
}
