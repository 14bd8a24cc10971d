namespace OrleansRpc.Server.Dispatch;

/// <summary>
/// Whether a synchronous function has proved cheap enough to run inline (<see cref="RapSynchronousExecution.Adaptive"/>).
/// A function starts on the thread pool; after <see cref="InitialProbation"/> pool runs in a row below the threshold it
/// runs inline; one inline run above the threshold sends it back to the pool. If it had run inline fewer than
/// <see cref="ProvenRuns"/> times, the next promotion needs twice as many fast runs (up to <see cref="MaxProbation"/>),
/// so a function that is often slow stalls its caller's thread ever more rarely; after a long inline run (a cheap
/// function hit by a GC pause or preempted on a busy machine) the probation starts over at its initial length.
/// Lock-free; concurrent updates may lose a count, which only delays a promotion or a reset.
/// </summary>
internal sealed class AdaptiveInlining
{
    public const int InitialProbation = 16;
    public const int MaxProbation = 1 << 20;
    public const int ProvenRuns = 1024;

    // ≥ 0: fast pool runs in a row; Inline: runs inline.
    private const int Inline = -1;
    private int _streak;
    private int _probation = InitialProbation;
    private int _inlineRuns; // fast inline runs since the promotion, counted up to ProvenRuns (then no more writes)

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
        if (fast)
        {
            var runs = Volatile.Read(ref _inlineRuns);
            if (runs < ProvenRuns)
            {
                Volatile.Write(ref _inlineRuns, runs + 1);
            }

            return;
        }

        if (Interlocked.CompareExchange(ref _streak, 0, Inline) == Inline)
        {
            var probation = Volatile.Read(ref _inlineRuns) >= ProvenRuns ? InitialProbation : Math.Min(Volatile.Read(ref _probation) * 2, MaxProbation);
            Volatile.Write(ref _probation, probation);
            Volatile.Write(ref _inlineRuns, 0);
        }
    }
}
