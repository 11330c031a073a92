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
        {
            if (split is not ("train" or "test" or ImageFolder.ValidationFolder))
                throw new ArgumentException($"Split '{split}' is not one of train, {ImageFolder.ValidationFolder}, test.", nameof(splits));
            if (!data.ClassNames.SequenceEqual(classNames))
                throw new ArgumentException($"Split '{split}' has other class names than '{splits[0].Split}'.", nameof(splits));
        }
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
            foreach (var (split, data) in splits)
                WriteSplit(Path.Combine(staging, split), data, folders, (done, total) => progress?.Invoke(split, done, total), cancellation);
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
            if (!int.TryParse(pid, out int id) || IsRunning(id)) continue;
            try { Directory.Delete(path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    private static void WriteSplit(string folder, ImageDataset data, string[] classFolders, Action<int, int> progress, CancellationToken cancellation)
    {
        foreach (var name in classFolders) Directory.CreateDirectory(Path.Combine(folder, name));
        int done = 0;
        int plane = data.Height * data.Width;
        Parallel.For(0, data.Count, new ParallelOptions { CancellationToken = cancellation }, i =>
        {
            var pixels = data.Pixels.AsSpan(i * data.SampleSize, data.SampleSize);
            var path = Path.Combine(folder, classFolders[data.Labels[i]], $"{i:D5}.png");
            if (data.Channels == 1)
            {
                using var gray = Image.LoadPixelData<L8>(pixels, data.Width, data.Height);
                gray.SaveAsPng(path);
            }
            else
            {
                var interleaved = new byte[plane * 3];
                for (int p = 0; p < plane; p++)
                    for (int c = 0; c < 3; c++)
                        interleaved[p * 3 + c] = pixels[c * plane + p];
                using var rgb = Image.LoadPixelData<Rgb24>(interleaved, data.Width, data.Height);
                rgb.SaveAsPng(path);
            }
            int finished = Interlocked.Increment(ref done);
            if (finished % 1000 == 0 || finished == data.Count) progress(finished, data.Count);
        });
    }
}
