namespace OnnxReg.Data;

/// <summary>Facts about Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017; MIT licence).</summary>
public static class FashionMnist
{
    /// <summary>The ten class names, indexed by label.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>Where Debian's <c>dataset-fashion-mnist</c> package installs the full data set.</summary>
    public const string PackageDirectory = "/usr/share/datasets/fashion-mnist";
}
