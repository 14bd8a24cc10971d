using System.Collections.Concurrent;

namespace OrleansRpc.Protocol.Crypto;

/// <summary>A process-wide <see cref="INonceStore"/> with expiry; expired entries are swept every so many inserts.</summary>
public sealed class InMemoryNonceStore : INonceStore
{
    private const int SweepEvery = 1024;
    private readonly ConcurrentDictionary<string, long> _expiries = new(StringComparer.Ordinal);
    private int _inserts;

    /// <summary>Number of remembered (possibly expired, not yet swept) nonces.</summary>
    public int Count => _expiries.Count;

    /// <inheritdoc />
    public bool TryAdd(string nonce, DateTimeOffset now, TimeSpan lifetime)
    {
        ArgumentNullException.ThrowIfNull(nonce);
        var nowTicks = now.UtcTicks;
        var expiry = nowTicks + lifetime.Ticks;
        if (Interlocked.Increment(ref _inserts) % SweepEvery == 0)
        {
            Sweep(nowTicks);
        }

        while (true)
        {
            if (_expiries.TryAdd(nonce, expiry))
            {
                return true;
            }

            if (!_expiries.TryGetValue(nonce, out var existing))
            {
                continue;
            }

            if (existing > nowTicks)
            {
                return false;
            }

            if (_expiries.TryUpdate(nonce, expiry, existing))
            {
                return true;
            }
        }
    }

    private void Sweep(long nowTicks)
    {
        foreach (var entry in _expiries)
        {
            if (entry.Value <= nowTicks)
            {
                _expiries.TryRemove(entry);
            }
        }
    }
}
