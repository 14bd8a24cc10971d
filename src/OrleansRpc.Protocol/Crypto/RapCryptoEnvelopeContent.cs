namespace OrleansRpc.Protocol.Crypto;

/// <summary>An opened envelope.</summary>
/// <param name="Body">The protected value, converted back to msgpack.</param>
/// <param name="Timestamp">Unix seconds, or <see langword="null"/> when missing or not a number.</param>
/// <param name="NonceKey">A replay key for the nonce, or <see langword="null"/> when the nonce is missing or empty.</param>
public readonly record struct RapCryptoEnvelopeContent(byte[] Body, long? Timestamp, string? NonceKey);
