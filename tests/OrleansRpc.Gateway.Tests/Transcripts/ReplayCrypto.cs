using System.Buffers;
using OrleansRpc.MessagePack;
using OrleansRpc.Protocol.Crypto;

namespace OrleansRpc.Gateway.Tests.Transcripts;

/// <summary>
/// The crypto plug-in's key for a replay: recorded client envelopes carry stale timestamps and used nonces, so
/// each is opened and sealed again with the current time and a fresh nonce; encrypted server bodies are
/// compared by their opened content (ciphertexts differ by timestamp and nonce).
/// </summary>
internal sealed class ReplayCrypto(string keyId, string secret) : IDisposable
{
    private readonly RapCryptoKey _key = new(keyId, secret);
    private long _nonce = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() << 16;

    public string KeyId { get; } = keyId;

    /// <summary>A re-sealed copy of a recorded encrypted body, or null when it does not open with this key.</summary>
    public byte[]? Reseal(ReadOnlyMemory<byte> recordedHex)
    {
        if (!RapCryptoEnvelope.TryOpen(_key, recordedHex.Span, out RapCryptoEnvelopeContent content))
        {
            return null;
        }

        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return RapCryptoEnvelope.Seal(_key, new ReadOnlySequence<byte>(content.Body), now, Interlocked.Increment(ref _nonce));
    }

    /// <summary>The body inside an encrypted envelope, or null when it does not open.</summary>
    public MessagePackValue? Open(ReadOnlyMemory<byte> hex) =>
        RapCryptoEnvelope.TryOpen(_key, hex.Span, out RapCryptoEnvelopeContent content) ? MessagePackValue.Parse(content.Body) : (MessagePackValue?)null;

    /// <summary>The frame with its encrypted body replaced by the opened body; <paramref name="wasEncrypted"/> tells whether it was.</summary>
    public MessagePackValue OpenFrame(MessagePackValue frame, out bool wasEncrypted)
    {
        wasEncrypted = false;
        if (frame.Kind != MessagePackValueKind.Array || frame.Count < 4)
        {
            return frame;
        }

        int body = frame.Count - 1;
        if (frame[body].Kind != MessagePackValueKind.Binary || Open(frame[body].AsBinary()) is not { } opened)
        {
            return frame;
        }

        wasEncrypted = true;
        var items = frame.AsArray().ToArray();
        items[body] = opened;
        return MessagePackValue.FromArray(items);
    }

    /// <summary>Seals the body of a frame opened with <see cref="OpenFrame"/> again (current timestamp, fresh nonce).</summary>
    public byte[] SealFrame(MessagePackValue frame)
    {
        int body = frame.Count - 1;
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        byte[] sealedBody = RapCryptoEnvelope.Seal(_key, new ReadOnlySequence<byte>(frame[body].ToArray()), now, Interlocked.Increment(ref _nonce))
            ?? throw new InvalidOperationException("body has no JSON form");
        var items = frame.AsArray().ToArray();
        items[body] = MessagePackValue.FromBinary(sealedBody);
        return MessagePackValue.FromArray(items).ToArray();
    }

    public void Dispose() => _key.Dispose();
}
