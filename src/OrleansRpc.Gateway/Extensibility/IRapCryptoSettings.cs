namespace OrleansRpc.Gateway;

/// <summary>
/// Live settings of rap's crypto plug-in, when registered in DI (it then replaces <see cref="RapGatewayOptions.CryptoKeys"/>).
/// Connections read them when they are accepted: a change (a new <see cref="Version"/>) applies to connections
/// accepted afterwards.
/// </summary>
public interface IRapCryptoSettings
{
    /// <summary>Changes whenever any other member changes.</summary>
    long Version { get; }

    /// <summary>Key id → 16-character secret. Empty: crypto off.</summary>
    IReadOnlyDictionary<string, string> Keys { get; }

    /// <summary>Oldest accepted envelope timestamp relative to now (rap: 60 s).</summary>
    TimeSpan MaxAge { get; }

    /// <summary>How long a seen nonce is remembered (rap: 120 s).</summary>
    TimeSpan NonceLifetime { get; }
}
