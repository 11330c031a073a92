namespace OnnxReg.Data.IO;

/// <summary>
/// Keeps reads and writes inside a folder the user chose: a path is accepted only if, with every symbolic link
/// along it resolved, it still lies below that folder's own resolved location. So neither <c>..</c> nor a link (to a
/// file or a folder) can lead outside it. The chosen folder may itself be reached through links. An instance resolves
/// its folder once, for checking many paths (every file of an image folder).
/// </summary>
internal sealed class ConfinedPath
{
    private const int MaxLinkDepth = 40; // as Linux's ELOOP limit
    private readonly string _root;
    private readonly string _fullRoot;
    private readonly string _realRoot;
    private readonly string _what;

    /// <summary>Confines paths to <paramref name="root"/>.</summary>
    /// <param name="root">The folder the user chose.</param>
    /// <param name="what">What the folder is, for the message ("data folder", "output folder").</param>
    /// <exception cref="IOException">Links on the way to <paramref name="root"/> loop.</exception>
    public ConfinedPath(string root, string what)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        ArgumentException.ThrowIfNullOrWhiteSpace(what);
        (_root, _what) = (root, what);
        _fullRoot = Path.GetFullPath(root);
        _realRoot = Resolve(root);
    }

    /// <summary>Checks that <paramref name="path"/> (absolute, or relative to the folder) stays below the folder, and returns its full path.</summary>
    /// <param name="path">A file or folder inside it; it need not exist yet (for outputs).</param>
    /// <exception cref="UnauthorizedAccessException">The path leads outside the folder.</exception>
    public string Check(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = Path.GetFullPath(path, _fullRoot);
        var real = Resolve(full);
        if (!IsWithin(real, _realRoot))
            throw new UnauthorizedAccessException(
                $"'{path}' leads outside the {_what} '{_root}' (to '{real}', through a link or '..'); only paths below the {_what} are used. Copy the file into the folder instead of linking it.");
        return full;
    }

    /// <summary>Checks one path against <paramref name="root"/>: <c>new ConfinedPath(root, what).Check(path)</c>.</summary>
    /// <exception cref="UnauthorizedAccessException">The path leads outside <paramref name="root"/>.</exception>
    public static string EnsureInside(string root, string path, string what) => new ConfinedPath(root, what).Check(path);

    /// <summary>The path with every symbolic link along it resolved (the parts that do not exist yet are kept as they are).</summary>
    /// <exception cref="IOException">Links loop, or nest deeper than 40.</exception>
    public static string Resolve(string path) => Resolve(Path.GetFullPath(path), 0);

    private static string Resolve(string full, int depth)
    {
        if (depth > MaxLinkDepth)
            throw new IOException($"Too many levels of symbolic links resolving '{full}'.");
        var root = Path.GetPathRoot(full)!;
        var current = root;
        var parts = full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        for (int i = 0; i < parts.Length; i++)
        {
            var next = Path.Combine(current, parts[i]);
            var link = new FileInfo(next).LinkTarget;
            if (link is not null)
            {
                // Relative targets are relative to the link's folder; the target may itself hold links.
                var target = Path.GetFullPath(link, current);
                next = Resolve(target, depth + 1);
            }
            current = next;
        }
        return current;
    }

    private static bool IsWithin(string path, string root)
    {
        var comparison = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        var prefix = root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar;
        return string.Equals(path, root, comparison) || path.StartsWith(prefix, comparison);
    }
}
