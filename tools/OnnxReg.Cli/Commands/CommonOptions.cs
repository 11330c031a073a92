using System.CommandLine;
using OnnxReg.Data;

namespace OnnxReg.Cli.Commands;

/// <summary>Options shared by several commands.</summary>
internal static class CommonOptions
{
    public static Option<string> Data() => new("--data")
    {
        Description = $"Dataset: '{DatasetSource.Embedded}' (built-in Fashion-MNIST subset, 6,000 train / 2,000 test), " +
                      $"'{DatasetSource.FashionMnistPackage}' (full set from Debian's dataset-fashion-mnist), or a folder with the four MNIST-format IDX files",
        DefaultValueFactory = _ => DatasetSource.Embedded,
    };

    public static string Format(double value) => value.ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture);
}
