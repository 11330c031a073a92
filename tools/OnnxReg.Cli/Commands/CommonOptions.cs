using System.CommandLine;
using OnnxReg.Data;

namespace OnnxReg.Cli.Commands;

/// <summary>Options shared by several commands.</summary>
internal static class CommonOptions
{
    public static Option<string> Data() => new("--data")
    {
        Description = $"Dataset: '{DatasetSource.Embedded}' (built-in Fashion-MNIST subset, 6,000 train / 2,000 test), " +
                      $"'{DatasetSource.FashionMnistPackage}' (full set from Debian's dataset-fashion-mnist), or a folder with the four MNIST-format IDX files or train/CLASS/ and test/CLASS/ image folders",
        DefaultValueFactory = _ => DatasetSource.Embedded,
    };

    /// <summary><c>--allow-other-class-names</c>: evaluate a model on data whose class names differ from its own.</summary>
    public static Option<bool> AllowOtherClassNames() => new("--allow-other-class-names")
    {
        Description = "Evaluate even when the data's class names differ from the model's (same classes under other names); by default that is an error [default: off]",
    };

    /// <summary>The largest --batch-size for evaluation. ONNX Runtime holds every layer's activations for the whole
    /// batch: at 65,536 the CNN preset passed 1.5 GB; at 1,024 the whole process peaked at 185 MB, and ONNX Runtime's throughput
    /// stops growing long before (batch 256 is the default).</summary>
    public const int MaxEvaluationBatch = 1024;

    /// <summary>
    /// Checks, before a long run starts, that every output can be written (its folder exists or can be made and takes
    /// files; the path is not a folder, pipe or device), so a bad path fails at once instead of after the first epoch.
    /// </summary>
    public static void RequireWritable(string option, params string[] paths)
    {
        foreach (var path in paths)
        {
            RequireFilePath(option, path);
            try { OnnxReg.Data.IO.AtomicFile.CheckWritable(path); }
            catch (IOException e) { throw new CliException($"{option}: {e.Message}"); }
        }
    }

    /// <summary>Fails naming the first model file that does not exist, before any data is loaded.</summary>
    public static void RequireModelFiles(IEnumerable<string> paths)
    {
        foreach (var path in paths)
            if (!File.Exists(path))
                throw new CliException($"model file '{path}' does not exist");
    }

    /// <summary>Fails naming <paramref name="option"/> when <paramref name="path"/>, where a file is to be written, is an existing folder.</summary>
    public static void RequireFilePath(string option, string path)
    {
        if (Directory.Exists(path))
            throw new CliException($"{option} must be a file path, not an existing folder; received {path}");
    }

    /// <summary>Parses a comma-separated list of whole numbers, or fails naming the option.</summary>
    public static int[] Integers(string option, string text) => text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(part =>
        int.TryParse(part, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var value) ? value
            : throw new CliException($"{option}: '{text}' is not a comma-separated list of whole numbers")).ToArray();

    /// <summary>A metric as people read it: four decimals, or scientific notation when that would hide the value (a
    /// diverging loss of 6.1e+29 printed as thirty digits, a 3e-7 printed as 0.0000).</summary>
    public static string Format(double value) => value switch
    {
        double.NaN or double.PositiveInfinity or double.NegativeInfinity => value.ToString(System.Globalization.CultureInfo.InvariantCulture),
        0 => "0.0000",
        _ when Math.Abs(value) >= 1e5 || Math.Abs(value) < 1e-4 => value.ToString("0.000e+00", System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture),
    };
}
