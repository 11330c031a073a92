using System.Security.Cryptography;
using OnnxReg.Training.Callbacks;
using static TorchSharp.torch;

namespace OnnxReg.Training.Checkpoints;

/// <summary>
/// Whether and where a fit continues from its checkpoint: <see cref="ResumeMode.Required"/> fails on a missing,
/// damaged or foreign checkpoint; <see cref="ResumeMode.IfCompatible"/> starts over instead; a checkpoint only
/// continues a run with the same configuration, callbacks and data (by fingerprint).
/// </summary>
internal static class ResumePolicy
{
    // Where to start: from the checkpoint when resuming (and, if it had finished, how training ended), else epoch 1.
    public static (TrainingPosition Position, (StopReason Reason, string Detail)? Finished) Resume(TrainingRun run, CheckpointOptions? options, string fingerprint)
    {
        var start = new TrainingPosition(1, 0, default, RandomState.Capture(run.Shuffler));
        if (options is null || options.Resume == ResumeMode.Never)
            return (start, null);
        bool required = options.Resume == ResumeMode.Required;
        if (!required && !File.Exists(options.Path))
            return (start, null);
        TrainingCheckpoint checkpoint;
        try
        {
            checkpoint = TrainingCheckpoint.Load(options.Path);
        }
        catch (InvalidDataException) when (!required)
        {
            return (start, null); // an unreadable checkpoint is simply overwritten
        }
        using (checkpoint)
        {
            if (run.Incompatibility(checkpoint, fingerprint) is { } why)
            {
                if (!required) return (start, null);
                throw new CheckpointMismatchException($"The checkpoint '{options.Path}' cannot resume this run: {why}. Resume with the options and data it was started with, or run without --resume to start over.");
            }
            TrainingPosition position;
            try
            {
                position = run.Restore(checkpoint);
            }
            catch (InvalidDataException e)
            {
                // A callback refused its saved state, which left it and everything else as it was.
                if (!required) return (start, null);
                throw new InvalidDataException($"The checkpoint '{options.Path}' cannot be read ({e.Message.TrimEnd('.')}). Delete it to start training over.", e);
            }
            var header = checkpoint.Header;
            return (position, header.StopReason is StopReason reason ? (reason, header.StopDetail ?? reason.ToString()) : null);
        }
    }

    // SHA-256 of the normalized images' float32 bytes, then the labels': a checkpoint only resumes a run on exactly the
    // same images and labels. The images are hashed a chunk at a time, so the whole split is never held as floats.
    public static string DataFingerprint(TensorDataset train, TensorDataset? validation)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var data in validation is null ? [train] : new[] { train, validation })
        {
            const int Chunk = 1024;
            for (int start = 0; start < data.Count; start += Chunk)
            {
                using var scope = TorchSharp.torch.NewDisposeScope();
                hash.AppendData(data.Slice(start, Math.Min(Chunk, data.Count - start)).contiguous().bytes);
            }
            using var labels = data.Labels.contiguous();
            hash.AppendData(labels.bytes);
        }
        return Convert.ToHexString(hash.GetHashAndReset());
    }
}
