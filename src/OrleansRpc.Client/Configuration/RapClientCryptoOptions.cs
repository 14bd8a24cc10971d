namespace OrleansRpc.Client;

/// <summary>rap's crypto plug-in (§2.13, §3.13): a key id and its 16-character secret shared with the server.</summary>
public sealed class RapClientCryptoOptions
{
    /// <summary>The key id (<c>crypto_id</c>).</summary>
    public string KeyId { get; set; } = string.Empty;

    /// <summary>The 16-character secret (AES-128 key and IV).</summary>
    public string Secret { get; set; } = string.Empty;

    /// <summary>How old an answer's envelope timestamp may be (rap: 60 s).</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a seen nonce is remembered to refuse replays (rap client: 60 s).</summary>
    public TimeSpan NonceLifetime { get; set; } = TimeSpan.FromSeconds(60);
}
