using System.Text;
using OnnxReg.Data.IO;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace OnnxReg.Data;

/// <summary>
/// Writes labelled images as the folder layout <see cref="ImageFolder"/> reads: <c>ROOT/SPLIT/CLASS/00000.png</c> for
/// each split, plus <c>ROOT/classes.txt</c> with the class folders in label order (so a model trained on the folder has
/// the classes in the source's order). PNG is lossless, so the folder decodes to the very bytes written. The folder is
/// built beside ROOT under a temporary name and renamed into place when complete: ROOT never holds half a dataset,
/// and an existing ROOT is never touched.
/// </summary>
public static class ImageFolderWriter
{
    // ImageSharp's default allocator keeps freed buffers in a pool sized from the machine's memory: writing 2,010
    // images of 256 × 256 held 450 MB. A pool of a few buffers is all a writer needs.
    private static readonly Configuration Encoding = CreateConfiguration();

    private static Configuration CreateConfiguration()
    {
        var configuration = Configuration.Default.Clone();
        configuration.MemoryAllocator = SixLabors.ImageSharp.Memory.MemoryAllocator.Create(new SixLabors.ImageSharp.Memory.MemoryAllocatorOptions { MaximumPoolSizeMegabytes = 16 });
        return configuration;
    }

    /// <summary>Writes <paramref name="splits"/> (e.g. train, val, test) under <paramref name="root"/>, which must not exist.</summary>
    /// <param name="root">The dataset folder to create.</param>
    /// <param name="splits">Split names and their images; every split must have the same class names.</param>
    /// <param name="progress">Told (split, images written, images in the split) as files are written; null for silence.</param>
    /// <returns>The class folder names, by label.</returns>
    /// <exception cref="IOException"><paramref name="root"/> already exists.</exception>
    /// <exception cref="ArgumentException">No splits, a split name that is not a plain folder name, or splits with different class names.</exception>
    /// <param name="cancellation">Stops between images (Ctrl+C): the partial folder is removed and <see cref="OperationCanceledException"/> thrown.</param>
    public static IReadOnlyList<string> Write(string root, IReadOnlyList<(string Split, ImageDataset Data)> splits, Action<string, int, int>? progress = null,
        CancellationToken cancellation = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        ArgumentNullException.ThrowIfNull(splits);
        if (splits.Count == 0)
            throw new ArgumentException("Give at least one split to write.", nameof(splits));
        var classNames = splits[0].Data.ClassNames;
        foreach (var (split, data) in splits)
            if (!data.ClassNames.SequenceEqual(classNames))
                throw new ArgumentException($"Split '{split}' has other class names than '{splits[0].Split}'.", nameof(splits));
        // Held in memory already: each split is one chunk.
        return Write(root, classNames, splits.Select(s => (s.Split, s.Data.Count, (Func<int, int, ImageDataset>)((_, _) => s.Data))).ToList(), progress, cancellation);
    }

    /// <summary>
    /// Writes splits whose images are produced <paramref name="chunkImages"/> at a time (<c>Images(start, count)</c>
    /// gives images <c>start … start + count − 1</c>), so memory holds one chunk however large the dataset: a generated
    /// folder of RGB images at 512 × 512 used to hold all of them (and every split) at once.
    /// </summary>
    /// <param name="root">The dataset folder to create (must not exist).</param>
    /// <param name="classNames">The class names, by label.</param>
    /// <param name="splits">Each split's name, image count and chunk producer.</param>
    /// <param name="progress">Told (split, images written, images in the split) as files are written; null for silence.</param>
    /// <param name="cancellation">Stops between images (Ctrl+C): the partial folder is removed and <see cref="OperationCanceledException"/> thrown.</param>
    /// <param name="chunkImages">How many images are asked for at a time.</param>
    /// <returns>The class folder names, by label.</returns>
    /// <exception cref="IOException"><paramref name="root"/> already exists.</exception>
    /// <exception cref="ArgumentException">No splits, or a split name that is not a plain folder name.</exception>
    public static IReadOnlyList<string> Write(string root, IReadOnlyList<string> classNames, IReadOnlyList<(string Split, int Count, Func<int, int, ImageDataset> Images)> splits,
        Action<string, int, int>? progress = null, CancellationToken cancellation = default, int chunkImages = 1024)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkImages, 1);
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        ArgumentNullException.ThrowIfNull(classNames);
        ArgumentNullException.ThrowIfNull(splits);
        if (splits.Count == 0)
            throw new ArgumentException("Give at least one split to write.", nameof(splits));
        foreach (var (split, _, _) in splits)
            if (split is not ("train" or "test" or ImageFolder.ValidationFolder))
                throw new ArgumentException($"Split '{split}' is not one of train, {ImageFolder.ValidationFolder}, test.", nameof(splits));
        var full = Path.GetFullPath(root);
        if (FileKinds.Of(full) != FileKind.Missing)
            throw new IOException($"'{root}' already exists; choose a new folder (the dataset is written as a whole, never over existing files).");
        var parent = Path.GetDirectoryName(full) ?? throw new IOException($"'{root}' has no parent folder.");
        Directory.CreateDirectory(parent);
        var folders = FolderNames(classNames);
        var staging = Path.Combine(parent, $".{Path.GetFileName(full)}.{Environment.ProcessId}.partial");
        RemoveAbandonedStaging(parent, Path.GetFileName(full));
        if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        try
        {
            Directory.CreateDirectory(staging);
            File.WriteAllText(Path.Combine(staging, "classes.txt"), string.Join('\n', folders) + "\n", new UTF8Encoding(false));
            foreach (var (split, count, images) in splits)
            {
                var folder = Path.Combine(staging, split);
                foreach (var name in folders) Directory.CreateDirectory(Path.Combine(folder, name));
                int done = 0;
                for (int start = 0; start < count; start += chunkImages)
                {
                    cancellation.ThrowIfCancellationRequested();
                    var chunk = images(start, Math.Min(chunkImages, count - start));
                    // A producer that returns the whole split (already in memory) is written in one go.
                    int offset = chunk.Count == count ? 0 : start;
                    WriteImages(folder, chunk, offset, folders, () =>
                    {
                        int finished = Interlocked.Increment(ref done);
                        if (finished % 1000 == 0 || finished == count) progress?.Invoke(split, finished, count);
                    }, cancellation);
                    if (chunk.Count == count) break;
                }
            }
            Directory.Move(staging, full);
        }
        catch
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
            throw;
        }
        return folders;
    }

    // Class names as folder names: letters, digits, '-', '_' and '.' kept, anything else (a '/' in "T-shirt/top") as '-'.
    private static string[] FolderNames(IReadOnlyList<string> classNames)
    {
        var folders = classNames.Select(name =>
        {
            var safe = new string(name.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-').ToArray()).Trim('.');
            return safe.Length == 0 ? "class" : safe;
        }).ToArray();
        for (int i = 0; i < folders.Length; i++)
            if (Array.IndexOf(folders, folders[i]) != i)
                folders[i] = $"{folders[i]}-{i}";
        return folders;
    }

    // A process killed with SIGKILL leaves its staging folder (.NAME.PID.partial); the next write of the same dataset
    // removes those whose process is gone (a live one is another writer, left alone).
    private static void RemoveAbandonedStaging(string parent, string name)
    {
        foreach (var path in Directory.EnumerateDirectories(parent, $".{name}.*.partial"))
        {
            var pid = Path.GetFileName(path)[(name.Length + 2)..^".partial".Length];
            if (!int.TryParse(pid, out int id) || AtomicFile.IsProcessRunning(id)) continue;
            try { Directory.Delete(path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static void WriteImages(string folder, ImageDataset data, int offset, string[] classFolders, Action written, CancellationToken cancellation)
    {
        int plane = data.Height * data.Width;
        Parallel.For(0, data.Count, new ParallelOptions { CancellationToken = cancellation }, i =>
        {
            var pixels = data.Pixels.AsSpan(i * data.SampleSize, data.SampleSize);
            var path = Path.Combine(folder, classFolders[data.Labels[i]], $"{offset + i:D5}.png");
            if (data.Channels == 1)
            {
                using var gray = Image.LoadPixelData<L8>(Encoding, pixels, data.Width, data.Height);
                gray.SaveAsPng(path);
            }
            else
            {
                var interleaved = new byte[plane * 3];
                for (int p = 0; p < plane; p++)
                    for (int c = 0; c < 3; c++)
                        interleaved[p * 3 + c] = pixels[c * plane + p];
                using var rgb = Image.LoadPixelData<Rgb24>(Encoding, interleaved, data.Width, data.Height);
                rgb.SaveAsPng(path);
            }
            written();
        });
    }
}
