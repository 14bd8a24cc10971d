using Microsoft.Extensions.Options;
using OrleansRpc.Gateway;

namespace OrleansRpc.Middleware.Crypto;

/// <summary>
/// The live key table and windows of the crypto plug-in, read by the gateway for every accepted connection
/// (<see cref="IRapCryptoSettings"/>). rap's admin functions change it; a change applies to connections accepted
/// afterwards (HEAD fixes its key at DECLARE anyway).
/// </summary>
public sealed class RapCryptoSettings : IRapCryptoSettings
{
    private readonly Lock _sync = new();
    private Dictionary<string, string> _keys;
    private TimeSpan _maxAge;
    private TimeSpan _nonceLifetime;
    private long _version = 1;

    public RapCryptoSettings(IOptions<RapCryptoOptions> options, IOptions<RapGatewayOptions>? gateway = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        RapCryptoOptions crypto = options.Value;
        _keys = new Dictionary<string, string>(StringComparer.Ordinal);
        if (gateway is not null)
        {
            foreach (var (id, secret) in gateway.Value.CryptoKeys)
            {
                _keys[id] = secret;
            }
        }

        foreach (var (id, secret) in crypto.Keys)
        {
            _keys[id] = secret;
        }

        _maxAge = crypto.Timeout;
        _nonceLifetime = crypto.NonceTimeout;
    }

    public long Version => Interlocked.Read(ref _version);

    public IReadOnlyDictionary<string, string> Keys => Volatile.Read(ref _keys);

    public TimeSpan MaxAge
    {
        get
        {
            lock (_sync)
            {
                return _maxAge;
            }
        }

        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            lock (_sync)
            {
                _maxAge = value;
                Interlocked.Increment(ref _version);
            }
        }
    }

    public TimeSpan NonceLifetime
    {
        get
        {
            lock (_sync)
            {
                return _nonceLifetime;
            }
        }

        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            lock (_sync)
            {
                _nonceLifetime = value;
                Interlocked.Increment(ref _version);
            }
        }
    }

    /// <summary>Adds or replaces keys (rap's <c>load_aes_key_dict</c>); every secret must be 16 UTF-8 bytes, else nothing changes.</summary>
    public void Load(IReadOnlyDictionary<string, string> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        foreach (var (id, secret) in keys)
        {
            if (string.IsNullOrEmpty(id) || !RapCryptoOptions.IsValidSecret(secret))
            {
                throw new ArgumentException($"Crypto key '{id}' must have a non-empty id and a 16-character secret.", nameof(keys));
            }
        }

        lock (_sync)
        {
            var next = new Dictionary<string, string>(_keys, StringComparer.Ordinal);
            foreach (var (id, secret) in keys)
            {
                next[id] = secret;
            }

            Volatile.Write(ref _keys, next);
            Interlocked.Increment(ref _version);
        }
    }

    /// <summary>Removes a key id (rap's <c>remove_aes</c>); an unknown id changes nothing.</summary>
    public bool Remove(string keyId)
    {
        lock (_sync)
        {
            if (!_keys.ContainsKey(keyId))
            {
                return false;
            }

            var next = new Dictionary<string, string>(_keys, StringComparer.Ordinal);
            next.Remove(keyId);
            Volatile.Write(ref _keys, next);
            Interlocked.Increment(ref _version);
            return true;
        }
    }
}
