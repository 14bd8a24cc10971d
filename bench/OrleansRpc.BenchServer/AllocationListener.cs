using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace OrleansRpc.BenchServer;

/// <summary>
/// With <c>ORLEANSRPC_BENCH_ALLOCATIONS=1</c>: listens to the runtime's sampled allocation events (one per ~100 KB
/// allocated, with the type that crossed the threshold) and counts bytes by type, so a load run shows which types
/// the server allocates. <c>/diag/allocation_types</c> returns the table (and resets it).
/// </summary>
public sealed class AllocationListener : EventListener
{
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private readonly ConcurrentDictionary<string, long> _bytesByType = new();

    public static AllocationListener? Instance { get; private set; }

    public static void StartIfEnabled()
    {
        if (Environment.GetEnvironmentVariable("ORLEANSRPC_BENCH_ALLOCATIONS") == "1")
        {
            Instance = new AllocationListener();
        }
    }

    /// <summary>Types by sampled bytes, largest first, as "bytes type" lines; clears the counts.</summary>
    public string TakeReport()
    {
        var snapshot = _bytesByType.ToArray();
        _bytesByType.Clear();
        long total = snapshot.Sum(p => p.Value);
        return string.Join('\n', snapshot
            .OrderByDescending(p => p.Value)
            .Take(40)
            .Select(p => $"{p.Value * 100.0 / Math.Max(1, total),5:0.0}% {p.Value,14:N0} {p.Key}"));
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        ArgumentNullException.ThrowIfNull(eventSource);
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        if (eventData.EventName is not { } name || !name.StartsWith("GCAllocationTick", StringComparison.Ordinal) || eventData.PayloadNames is null)
        {
            return;
        }

        int typeIndex = eventData.PayloadNames.IndexOf("TypeName");
        int amountIndex = eventData.PayloadNames.IndexOf("AllocationAmount64");
        if (amountIndex < 0)
        {
            amountIndex = eventData.PayloadNames.IndexOf("AllocationAmount");
        }

        if (typeIndex < 0 || amountIndex < 0 || eventData.Payload is null)
        {
            return;
        }

        string type = eventData.Payload[typeIndex] as string ?? "?";
        long amount = Convert.ToInt64(eventData.Payload[amountIndex], System.Globalization.CultureInfo.InvariantCulture);
        _bytesByType.AddOrUpdate(type, amount, (_, current) => current + amount);
    }
}
