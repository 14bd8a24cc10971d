namespace OrleansRpc.Server.Dispatch;

/// <summary>
/// Whether a synchronous function has proved cheap enough to run inline (<see cref="RapSynchronousExecution.Adaptive"/>).
/// A function starts on the thread pool; after <see cref="InitialProbation"/> pool runs in a row below the threshold it
/// runs inline; one inline run above the threshold sends it back to the pool, and the next promotion needs twice as
/// many fast runs (up to <see cref="MaxProbation"/>), so a function that is only sometimes slow stalls its caller's
/// thread ever more rarely, while a cheap function hit by a GC pause comes back soon. Lock-free; concurrent updates
/// may lose a count, which only delays a promotion.
/// </summary>
internal sealed class AdaptiveInlining
{
    public const int InitialProbation = 16;
    public const int MaxProbation = 1 << 20;

    // ≥ 0: fast pool runs in a row; Inline: runs inline.
    private const int Inline = -1;
    private int _streak;
    private int _probation = InitialProbation;

    public bool IsInline => Volatile.Read(ref _streak) == Inline;

    /// <summary>Fast pool runs needed for the next promotion.</summary>
    public int Probation => Volatile.Read(ref _probation);

    /// <summary>A pool run finished; <paramref name="fast"/>: below the threshold.</summary>
    public void OnPoolRun(bool fast)
    {
        var streak = Volatile.Read(ref _streak);
        if (streak == Inline)
        {
            return; // queued before the promotion
        }

        var next = !fast ? 0 : streak + 1 >= Volatile.Read(ref _probation) ? Inline : streak + 1;
        if (next != streak)
        {
            Interlocked.CompareExchange(ref _streak, next, streak);
        }
    }

    /// <summary>An inline run finished; a slow one demotes the function.</summary>
    public void OnInlineRun(bool fast)
    {
        if (!fast && Interlocked.CompareExchange(ref _streak, 0, Inline) == Inline)
        {
            var probation = Volatile.Read(ref _probation);
            Volatile.Write(ref _probation, Math.Min(probation * 2, MaxProbation));
        }
    }
}
