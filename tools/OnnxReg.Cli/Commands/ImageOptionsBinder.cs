using System.CommandLine;
using OnnxReg.Data;

namespace OnnxReg.Cli.Commands;

/// <summary>The options that say how an image folder is decoded for training (<c>--image-size</c>, <c>--color</c>,
/// <c>--resize</c>); models record the result, so evaluation and prediction take it from the model instead.</summary>
internal sealed class ImageOptionsBinder
{
    public Option<string> Size { get; } = new("--image-size")
    {
        Description = "Decode image folders at SIZE or WIDTHxHEIGHT pixels, e.g. 64 or 64x48 [default: the first training image's size]",
    };

    public Option<string> Color { get; } = new("--color")
    {
        Description = "Decode image folders as gray or rgb [default: gray if the first training image of every class is gray, else rgb]",
    };

    public Option<string> Resize { get; } = new("--resize")
    {
        Description = "Fit images of another aspect ratio by stretch, crop (centre crop to the aspect ratio) or pad (fit inside, pad with black) [default: stretch]",
    };

    public Option<string> Cache { get; } = new("--cache")
    {
        Description = "Keep decoded copies of an image folder's splits in DIR: the first run decodes each split into a file there, later epochs and runs read raw pixels from it (a changed folder or --image-size makes a new file) [default: none]",
        HelpName = "DIR",
    };

    public ImageOptionsBinder()
    {
        Color.AcceptOnlyFromAmong("gray", "rgb");
        Resize.AcceptOnlyFromAmong("stretch", "crop", "pad");
    }

    public IEnumerable<Option> All => [Size, Color, Resize, Cache];

    /// <summary>The options given, with decoding progress printed for large folders.</summary>
    public ImageFolderOptions Bind(ParseResult parse, CliConsole console)
    {
        (int Height, int Width)? size = null;
        if (parse.GetValue(Size) is { } text)
        {
            try { size = ImagePreparation.ParseSize(text); }
            catch (FormatException e) { throw new CliException($"--image-size: {e.Message}"); }
        }
        return new ImageFolderOptions
        {
            Size = size,
            Color = parse.GetValue(Color) is { } color ? Enum.Parse<ColorMode>(color, ignoreCase: true) : null,
            Resize = parse.GetValue(Resize) is { } resize ? Enum.Parse<ResizePolicy>(resize, ignoreCase: true) : ResizePolicy.Stretch,
            Cache = parse.GetValue(Cache) is { } cache ? CheckedCacheFolder(cache) : null,
            Progress = new DecodeProgress(console).Report,
        };
    }

    private static string CheckedCacheFolder(string folder)
    {
        var kind = OnnxReg.Data.IO.FileKinds.Of(folder);
        if (kind is not (OnnxReg.Data.IO.FileKind.Missing or OnnxReg.Data.IO.FileKind.Directory))
            throw new CliException($"--cache: '{PrintableText.Escape(folder)}' is {OnnxReg.Data.IO.FileKinds.Describe(kind)}, not a folder; give a folder for the decoded images (it is created if missing).");
        return folder;
    }

    // Splits of 20,000 images or more (a minute or so of decoding on two cores) get a line per quarter, so a large
    // folder is not decoded in silence; smaller ones decode in seconds and are summed up in the data line.
    private sealed class DecodeProgress(CliConsole console)
    {
        private readonly Lock _lock = new();
        private readonly Dictionary<string, int> _shown = [];

        public void Report(string split, int done, int total)
        {
            if (total < 20_000) return;
            int quarter = (int)(4L * done / total);
            lock (_lock)
            {
                if (quarter == 0 || (_shown.TryGetValue(split, out int shown) && shown >= quarter)) return;
                _shown[split] = quarter;
                console.Line(split.EndsWith(" (cache)", StringComparison.Ordinal) ? $"caching {split[..^8]} images: {done:N0}/{total:N0}"
                    : split.EndsWith(" (first pass)", StringComparison.Ordinal) ? $"reading {split[..^13]} images from disk (first pass): {done:N0}/{total:N0}"
                    : $"decoding {split} images: {done:N0}/{total:N0}");
            }
        }
    }
}
