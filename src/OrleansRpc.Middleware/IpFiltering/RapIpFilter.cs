using System.Net;

namespace OrleansRpc.Middleware.IpFiltering;

/// <summary>
/// The allow and block lists of the IP filter, changeable at run time. rap's rules: a non-empty allow list admits only
/// its members (the block list is then ignored); otherwise the block list refuses its members. Adding an entry to one
/// list removes the same entry from the other.
/// </summary>
public sealed class RapIpFilter
{
    private readonly Lock _sync = new();
    private readonly List<IpRange> _allow = [];
    private readonly List<IpRange> _block = [];
    private Snapshot _snapshot = new([], []);
    private long _refused;

    public RapIpFilter(RapIpFilterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        AddAllow(options.AllowList);
        AddBlock(options.BlockList);
    }

    /// <summary>Refusals so far (rap's <c>block_cnt</c>).</summary>
    public long RefusedCount => Interlocked.Read(ref _refused);

    /// <summary>The allow list as text.</summary>
    public IReadOnlyList<string> AllowList => [.. Volatile.Read(ref _snapshot).Allow.Select(r => r.ToString())];

    /// <summary>The block list as text.</summary>
    public IReadOnlyList<string> BlockList => [.. Volatile.Read(ref _snapshot).Block.Select(r => r.ToString())];

    /// <summary>Whether <paramref name="address"/> may connect (lock-free: reads an immutable snapshot).</summary>
    public bool IsAllowed(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        Snapshot snapshot = Volatile.Read(ref _snapshot);
        bool allowed = snapshot.Allow.Length > 0 ? Any(snapshot.Allow, address) : !Any(snapshot.Block, address);
        if (!allowed)
        {
            Interlocked.Increment(ref _refused);
        }

        return allowed;
    }

    /// <summary>Adds to the allow list (and removes the same entries from the block list).</summary>
    public void AddAllow(IEnumerable<string> entries) => Change(entries, _allow, _block, add: true);

    /// <summary>Adds to the block list (and removes the same entries from the allow list).</summary>
    public void AddBlock(IEnumerable<string> entries) => Change(entries, _block, _allow, add: true);

    /// <summary>Removes from the allow list.</summary>
    public void RemoveAllow(IEnumerable<string> entries) => Change(entries, _allow, null, add: false);

    /// <summary>Removes from the block list.</summary>
    public void RemoveBlock(IEnumerable<string> entries) => Change(entries, _block, null, add: false);

    private void Change(IEnumerable<string> entries, List<IpRange> target, List<IpRange>? other, bool add)
    {
        ArgumentNullException.ThrowIfNull(entries);
        IpRange[] ranges = [.. entries.Select(IpRange.Parse)]; // all or nothing: a bad entry changes nothing
        lock (_sync)
        {
            foreach (IpRange range in ranges)
            {
                target.Remove(range);
                other?.Remove(range);
                if (add)
                {
                    target.Add(range);
                }
            }

            Volatile.Write(ref _snapshot, new Snapshot([.. _allow], [.. _block]));
        }
    }

    private static bool Any(IpRange[] ranges, IPAddress address)
    {
        foreach (IpRange range in ranges)
        {
            if (range.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    private sealed record Snapshot(IpRange[] Allow, IpRange[] Block);
}
