using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using OrleansRpc.MessagePack;
using OrleansRpc.Protocol.Crypto;
using OrleansRpc.Protocol.Frames;

namespace OrleansRpc.Client.Connections;

/// <summary>What every connection of one client shares: options, logging, clock, crypto key and caches.</summary>
internal sealed class RapClientContext : IDisposable
{
    private readonly ConcurrentDictionary<(string Group, string Name), byte[]> _targets = new();
    private long _nonce;

    public RapClientContext(RapClientOptions options, ILogger logger, TimeProvider time)
    {
        Options = options;
        Logger = logger;
        Time = time;
        ReaderOptions = new MessagePackReaderOptions { MaxFrameBytes = options.MaxFrameBytes };
        if (options.Crypto is { } crypto)
        {
            CryptoKey = new RapCryptoKey(crypto.KeyId, crypto.Secret);
        }

        // A snowflake-like start so nonces stay unique across client restarts.
        _nonce = time.GetUtcNow().ToUnixTimeMilliseconds() << 20;
    }

    public RapClientOptions Options { get; }

    public ILogger Logger { get; }

    public TimeProvider Time { get; }

    public MessagePackReaderOptions ReaderOptions { get; }

    public RapCryptoKey? CryptoKey { get; }

    public InMemoryNonceStore Nonces { get; } = new();

    public long NextNonce() => Interlocked.Increment(ref _nonce);

    /// <summary>The msgpack encoding of <c>"/group/name"</c>, cached so calls do not re-encode it.</summary>
    public byte[] EncodedTarget(string group, string name) => _targets.GetOrAdd((group, name), static key =>
    {
        var output = new PooledBufferWriter(64);
        var writer = new MessagePackWriter(output);
        writer.Write(RapTarget.Format(key.Group, key.Name));
        writer.Flush();
        var bytes = output.ToArray();
        output.Dispose();
        return bytes;
    });

    public void Dispose() => CryptoKey?.Dispose();
}
