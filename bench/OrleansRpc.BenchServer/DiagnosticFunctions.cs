using OrleansRpc.Server;

namespace OrleansRpc.BenchServer;

/// <summary>
/// Group <c>diag</c>, registered only with <c>ORLEANSRPC_BENCH_DIAGNOSTICS=1</c>: the load generator reads the
/// process's allocation counter around a measured window and forces a GC before memory readings.
/// </summary>
[RapGroup("diag")]
public sealed class DiagnosticFunctions
{
    [RapFunction(Name = "allocated")]
    public static long Allocated() => GC.GetTotalAllocatedBytes(precise: true);

    [RapFunction(Name = "collect")]
    public static long Collect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: false);
    }
}
