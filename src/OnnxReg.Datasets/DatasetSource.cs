using OnnxReg.Data.Idx;
using OnnxReg.Data.IO;

namespace OnnxReg.Data;

/// <summary>A training set and a test set loaded from one source, and a validation set when the source has one.</summary>
/// <param name="Train">The official training images (split it further for validation when <see cref="Validation"/> is null).</param>
/// <param name="Test">The official test images.</param>
/// <param name="Description">Where the data came from, for reports.</param>
public sealed record DatasetPair(ImageDataset Train, ImageDataset Test, string Description)
{
    /// <summary>The source's own validation images (an image folder's <c>val/</c>), or null.</summary>
    public ImageDataset? Validation { get; init; }

    /// <summary>How many training images the source has, before <see cref="ImageFolderOptions.TrainLimit"/> (an image
    /// folder's files are counted without decoding them).</summary>
    public int TrainAvailable
    {
        get => _trainAvailable ?? Train.Count;
        init => _trainAvailable = value;
    }

    private readonly int? _trainAvailable;
}

/// <summary>
/// Loads MNIST-family data from one of three sources: <c>embedded</c> (a Fashion-MNIST subset shipped inside
/// this library), <c>fashion-mnist</c> (the full set from Debian's <c>dataset-fashion-mnist</c> package), or a
/// folder holding either the four IDX files or <c>train/CLASS/</c> and <c>test/CLASS/</c> image folders
/// (<see cref="ImageFolder"/>). Only files below a given folder are read (<see cref="ConfinedPath"/>).
/// </summary>
public static class DatasetSource
{
    /// <summary>The name of the embedded subset: the first 6,000 training and 2,000 test images of Fashion-MNIST.</summary>
    public const string Embedded = "embedded";

    /// <summary>The name of the full Fashion-MNIST installed by Debian's package.</summary>
    public const string FashionMnistPackage = "fashion-mnist";

    private const string ClassNamesFile = "classes.txt";
    private const string ResourcePrefix = "OnnxReg.Data.FashionMnistSubset.";

    /// <summary>Loads <paramref name="source"/>: <c>embedded</c>, <c>fashion-mnist</c>, or a folder path; <paramref name="images"/>
    /// says how an image folder is decoded (IDX data are what they are: giving a colour or size other than theirs is an error).</summary>
    /// <exception cref="DirectoryNotFoundException">The folder (or the Debian package's folder) does not exist.</exception>
    /// <exception cref="FileNotFoundException">The folder lacks one of the four IDX files.</exception>
    /// <exception cref="InvalidDataException">A file is malformed, or images and labels disagree.</exception>
    /// <exception cref="UnauthorizedAccessException">A file in the folder links outside it.</exception>
    public static DatasetPair Load(string source, ImageFolderOptions? images = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(source);
        if (source == Embedded)
            return CheckIdx(LoadEmbedded(), images, source);
        var folder = ResolveFolder(source);
        // An IDX folder is read only as far as the training images asked for (ImageFolderOptions.TrainLimit) go.
        if (source == FashionMnistPackage)
            return CheckIdx(LoadIdxPair(folder, FashionMnist.ClassNames, images?.TrainLimit), images, source);
        return ImageFolder.Matches(folder) ? ImageFolder.Load(folder, images) : CheckIdx(LoadIdxPair(folder, classNames: null, images?.TrainLimit), images, source);
    }

    // IDX images are grayscale at their stored size; options asking for something else cannot be honoured.
    private static DatasetPair CheckIdx(DatasetPair pair, ImageFolderOptions? images, string source)
    {
        CheckIdx(pair.Train, images, source);
        return pair;
    }

    private static ImageDataset CheckIdx(ImageDataset data, ImageFolderOptions? images, string source)
    {
        if (images is null) return data;
        if (images.Resize != ResizePolicy.Stretch)
            throw new InvalidDataException($"'{source}' holds IDX images, which are not resized; --resize applies to image folders only. Leave --resize out.");
        if (images.Color == ColorMode.Rgb)
            throw new InvalidDataException($"'{source}' holds grayscale IDX images; --color rgb needs an image folder (train/CLASS/, test/CLASS/). Leave --color out.");
        if (images.Size is var (height, width) && (height != data.Height || width != data.Width))
            throw new InvalidDataException($"'{source}' holds {data.Width}x{data.Height} IDX images; --image-size {width}x{height} needs an image folder. Leave --image-size out.");
        return data;
    }

    /// <summary>
    /// Loads only the test split of <paramref name="source"/> (for evaluation): the training images are not read, so a
    /// damaged or huge training image file does not stand in the way and nothing is decoded that is not used. Without
    /// a class list the (small) training label file is read too, so the classes are counted as <see cref="Load"/> counts them.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The folder (or the Debian package's folder) does not exist.</exception>
    /// <exception cref="FileNotFoundException">The folder lacks a test IDX file.</exception>
    /// <exception cref="InvalidDataException">A file is malformed, or images and labels disagree.</exception>
    /// <exception cref="UnauthorizedAccessException">A file in the folder links outside it.</exception>
    public static ImageDataset LoadTest(string source, ImageFolderOptions? images = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(source);
        if (source == Embedded)
            return CheckIdx(LoadEmbedded().Test, images, source);
        var folder = ResolveFolder(source);
        if (source == FashionMnistPackage)
            return CheckIdx(LoadIdx(folder, FashionMnist.ClassNames, withTrainImages: false).Test, images, source);
        return ImageFolder.Matches(folder) ? ImageFolder.LoadTest(folder, images) : CheckIdx(LoadIdx(folder, classNames: null, withTrainImages: false).Test, images, source);
    }

    /// <summary>True if <paramref name="source"/> is a folder of images (<c>train/</c> and <c>test/</c> class folders),
    /// which <see cref="ImageFolderOptions"/> decode; false for the embedded data, the Debian package and IDX folders.</summary>
    public static bool IsImageFolder(string source) =>
        source is not (Embedded or FashionMnistPackage) && Directory.Exists(source) && ImageFolder.Matches(source);

    /// <summary>Where <paramref name="source"/> reads from, in words, without reading it (for reports of a <see cref="LoadTest"/>).</summary>
    public static string Describe(string source) => source switch
    {
        Embedded => "embedded Fashion-MNIST subset (6,000 train / 2,000 test)",
        FashionMnistPackage => $"Fashion-MNIST ({FashionMnist.PackageDirectory})",
        _ => Path.GetFullPath(source),
    };

    private static string ResolveFolder(string source)
    {
        if (source == FashionMnistPackage)
        {
            if (!Directory.Exists(FashionMnist.PackageDirectory))
                throw new DirectoryNotFoundException(
                    $"Full Fashion-MNIST not found at {FashionMnist.PackageDirectory}. Install it with 'sudo apt-get install dataset-fashion-mnist' (or run tools/setup.sh), or use --data embedded.");
            return FashionMnist.PackageDirectory;
        }
        var folder = Path.GetFullPath(source);
        if (File.Exists(folder))
            throw new DirectoryNotFoundException(
                $"'{source}' is {(source.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase) ? "an ONNX model" : "a file")}, not a data folder. Use" + DataChoices);
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException(
                $"Data folder '{source}' does not exist. Use --data embedded (built in), --data fashion-mnist (sudo apt-get install dataset-fashion-mnist), or a folder holding train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], t10k-images-idx3-ubyte[.gz] and t10k-labels-idx1-ubyte[.gz] (or train/CLASS/ and test/CLASS/ image folders).");
        return folder;
    }

    private const string DataChoices =
        " --data embedded (built in), --data fashion-mnist (sudo apt-get install dataset-fashion-mnist), or a folder holding the four MNIST-format IDX files or train/CLASS/ and test/CLASS/ image folders.";

    private static string[] NumberedClasses(int count) =>
        Enumerable.Range(0, Math.Max(2, count)).Select(c => c.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    private static DatasetPair LoadEmbedded()
    {
        var assembly = typeof(DatasetSource).Assembly;
        IdxArray ReadResource(string file)
        {
            using var stream = assembly.GetManifestResourceStream(ResourcePrefix + file)
                ?? throw new InvalidOperationException($"Embedded resource {file} is missing from {assembly.GetName().Name}; the build is broken.");
            using var inflated = new System.IO.Compression.GZipStream(stream, System.IO.Compression.CompressionMode.Decompress);
            return IdxReader.Read(inflated, "embedded:" + file, knownLength: null);
        }
        var train = Combine(ReadResource("train-images-idx3-ubyte.gz"), ReadResource("train-labels-idx1-ubyte.gz"), "embedded:train", FashionMnist.ClassNames);
        var test = Combine(ReadResource("t10k-images-idx3-ubyte.gz"), ReadResource("t10k-labels-idx1-ubyte.gz"), "embedded:t10k", FashionMnist.ClassNames);
        return new DatasetPair(train, test, "embedded Fashion-MNIST subset (6,000 train / 2,000 test)");
    }

    // The four IDX files; without the training images (for evaluation) only the small training label file is read,
    // so numbered classes are counted over both splits either way and a test-only load has the same classes.
    private static (ImageDataset? Train, ImageDataset Test) LoadIdx(string folder, IReadOnlyList<string>? classNames, bool withTrainImages, int? trainLimit = null)
    {
        var confined = new ConfinedPath(folder, "data folder");
        classNames ??= ReadClassNames(confined);
        IdxArray? trainImages = null, trainLabels = null;
        if (withTrainImages)
        {
            trainImages = IdxReader.Read(FindFile(folder, confined, "train", "images", 3), trainLimit);
            trainLabels = IdxReader.Read(FindFile(folder, confined, "train", "labels", 1), trainLimit);
        }
        var testImages = IdxReader.Read(FindFile(folder, confined, "t10k", "images", 3));
        var testLabels = IdxReader.Read(FindFile(folder, confined, "t10k", "labels", 1));
        if (classNames is null)
            trainLabels ??= IdxReader.Read(FindFile(folder, confined, "train", "labels", 1));
        classNames ??= NumberedClasses(Math.Max(trainLabels!.Data.Max(), testLabels.Data.Max()) + 1);
        var train = trainImages is null ? null : Combine(trainImages, trainLabels!, Path.Combine(folder, "train"), classNames);
        return (train, Combine(testImages, testLabels, Path.Combine(folder, "t10k"), classNames));
    }

    private static DatasetPair LoadIdxPair(string folder, IReadOnlyList<string>? classNames, int? trainLimit)
    {
        var (train, test) = LoadIdx(folder, classNames, withTrainImages: true, trainLimit);
        return new DatasetPair(train!, test, $"{folder} ({train!.Count:N0} train / {test.Count:N0} test)");
    }

    // Accepts both spellings in circulation (train-images-idx3-ubyte and train-images.idx3-ubyte), gzipped or not.
    private static string FindFile(string folder, ConfinedPath confined, string split, string kind, int rank)
    {
        string[] names =
        [
            $"{split}-{kind}-idx{rank}-ubyte.gz", $"{split}-{kind}-idx{rank}-ubyte",
            $"{split}-{kind}.idx{rank}-ubyte.gz", $"{split}-{kind}.idx{rank}-ubyte",
        ];
        foreach (var name in names)
        {
            var path = confined.Check(name);
            if (FileKinds.Of(path) != FileKind.Missing) return path; // IdxReader refuses what is not a regular file
        }
        throw new FileNotFoundException(
            $"Data folder '{folder}' has no {names[1]}[.gz] (looked for {string.Join(", ", names)}). It needs the four MNIST-format IDX files.");
    }

    private static IReadOnlyList<string>? ReadClassNames(ConfinedPath confined)
    {
        var path = confined.Check(ClassNamesFile);
        if (FileKinds.Of(path) == FileKind.Missing) return null;
        var names = UntrustedFile.ReadLines(path, "class list");
        if (names.Length < 2)
            throw new InvalidDataException($"'{path}' lists {names.Length} class names; it needs one per line, at least 2.");
        return names;
    }

    private static ImageDataset Combine(IdxArray images, IdxArray labels, string name, IReadOnlyList<string> classNames)
    {
        if (images.Shape.Length != 3)
            throw new InvalidDataException($"'{name}' images have {images.Shape.Length} dimensions; expected 3 (count, height, width).");
        if (labels.Shape.Length != 1)
            throw new InvalidDataException($"'{name}' labels have {labels.Shape.Length} dimensions; expected 1 (count).");
        if (images.Count != labels.Count)
            throw new InvalidDataException($"'{name}' has {images.Count} images but {labels.Count} labels; the two files must hold the same number of items.");
        int badLabel = Array.FindIndex(labels.Data, l => l >= classNames.Count);
        if (badLabel >= 0)
            throw new InvalidDataException($"'{name}' label {badLabel} is {labels.Data[badLabel]}, but there are only {classNames.Count} classes.");
        return new ImageDataset(images.Data, labels.Data, channels: 1, images.Shape[1], images.Shape[2], classNames);
    }
}
