namespace OrleansRpc.Middleware.Crypto;

/// <summary>rap's <c>CryptoProcessor(secret_dict, timeout, nonce_timeout)</c> (RAP_PROTOCOL.md §2.13, §3.13).</summary>
public sealed class RapCryptoOptions
{
    /// <summary>The configuration section (below <c>OrleansRpc:Middleware</c>).</summary>
    public const string SectionName = "Crypto";

    /// <summary>Key id → 16-character secret. Keys of <c>RapGateway:CryptoKeys</c> are added too.</summary>
    public IDictionary<string, string> Keys { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Oldest accepted envelope timestamp (rap's <c>timeout</c>). Default 60 s.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a nonce is remembered; a replay inside it is refused (rap's <c>nonce_timeout</c>). Default 120 s.</summary>
    public TimeSpan NonceTimeout { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>Whether the secret is usable: exactly 16 bytes of UTF-8 (AES-128 key and IV).</summary>
    public static bool IsValidSecret(string? secret) => secret is not null && System.Text.Encoding.UTF8.GetByteCount(secret) == 16;
}
