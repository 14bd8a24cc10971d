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

    /// <summary>Sampled allocations by type since the last call (needs ORLEANSRPC_BENCH_ALLOCATIONS=1).</summary>
    [RapFunction(Name = "allocation_types")]
    public static string AllocationTypes() => AllocationListener.Instance?.TakeReport() ?? "allocation sampling is off (ORLEANSRPC_BENCH_ALLOCATIONS=1)";

    [RapFunction(Name = "collect")]
    public static long Collect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: false);
    }
}
