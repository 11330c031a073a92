using OnnxReg.Data.IO;

namespace OnnxReg.Experiments;

/// <summary>
/// The claim protocol that lets processes (<see cref="StudyShard"/>s, possibly on other machines) share a list of runs
/// in one folder, used by the study and the tuner alike: a shard takes its own runs first, then everyone else's; a run
/// already finished is reused; an open run is claimed — an operating-system lock on <c>.claim.lock</c> in its folder,
/// released when the holder's process ends, however it ends — checked again, and trained; a run another process holds
/// is left and revisited every poll interval until it has finished or its claim has lapsed (then it is taken over).
/// Returns when every run has finished.
/// </summary>
public static class ClaimedWork
{
    /// <summary>The file, in a run's folder, whose lock is the run's claim (hidden: <c>.claim.lock</c>).</summary>
    public const string ClaimFileName = "claim";

    /// <summary>Finishes every item, training those not finished yet; returns their results in the items' order.</summary>
    /// <param name="items">The runs, in the same order on every shard.</param>
    /// <param name="shard">This process's shard.</param>
    /// <param name="folder">The run's folder (created when it is claimed).</param>
    /// <param name="owner">Who claims, in words, shown to other processes that find the claim.</param>
    /// <param name="tryReuse">The run's result when it has already finished, else null.</param>
    /// <param name="train">Trains the run (under its claim) and returns its result.</param>
    /// <param name="finished">Told of each finished run: its index, result, and whether it was reused.</param>
    /// <param name="claimedElsewhere">Told, once per run, that another process holds it (index, the holder's record).</param>
    /// <param name="pollInterval">How long to wait when every open run is held elsewhere.</param>
    /// <param name="cancellation">Checked before each run and while waiting.</param>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static TResult[] Run<TItem, TResult>(IReadOnlyList<TItem> items, StudyShard shard, Func<TItem, string> folder, string owner,
        Func<TItem, TResult?> tryReuse, Func<TItem, TResult> train, Action<int, TResult, bool> finished, Action<int, string> claimedElsewhere,
        TimeSpan pollInterval, CancellationToken cancellation)
        where TResult : class
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(shard);
        var results = new TResult?[items.Count];
        var pending = Enumerable.Range(0, items.Count).Where(shard.Owns).Concat(Enumerable.Range(0, items.Count).Where(i => !shard.Owns(i))).ToList();
        var announced = new HashSet<int>();
        void Done(int index, TResult result, bool reused)
        {
            results[index] = result;
            pending.Remove(index);
            finished(index, result, reused);
        }
        while (pending.Count > 0)
        {
            bool trained = false;
            foreach (int i in pending.ToList())
            {
                cancellation.ThrowIfCancellationRequested();
                var item = items[i];
                if (tryReuse(item) is { } reused)
                {
                    Done(i, reused, reused: true);
                    continue;
                }
                var runFolder = folder(item);
                Directory.CreateDirectory(runFolder);
                using var claim = OutputLock.TryAcquire(Path.Combine(runFolder, ClaimFileName), owner, out var holder);
                if (claim is null)
                {
                    if (announced.Add(i)) claimedElsewhere(i, holder);
                    continue;
                }
                // Another process may have finished it between the check above and the claim.
                if (tryReuse(item) is { } justFinished)
                {
                    Done(i, justFinished, reused: true);
                    continue;
                }
                Done(i, train(item), reused: false);
                trained = true;
            }
            // Every open run is someone else's: wait for them to finish, or for a crashed holder's claim to lapse.
            if (pending.Count > 0 && !trained)
                cancellation.WaitHandle.WaitOne(pollInterval);
        }
        cancellation.ThrowIfCancellationRequested();
        return [.. results.Select(r => r!)];
    }
}
