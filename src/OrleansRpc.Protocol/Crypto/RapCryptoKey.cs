using System.Security.Cryptography;
using System.Text;

namespace OrleansRpc.Protocol.Crypto;

/// <summary>
/// One key of rap's crypto plug-in (§2.13): AES-128-CBC whose 16-character secret is both key and IV, zero padding
/// (not PKCS#7), ciphertext carried as lowercase hex text. Weak by design; exists only for compatibility.
/// </summary>
public sealed class RapCryptoKey : IDisposable
{
    private const int BlockSize = 16;
    private readonly Aes _aes;
    private readonly byte[] _iv;
    private readonly Lock _sync = new();

    /// <summary>Creates a key; <paramref name="secret"/> must be exactly 16 UTF-8 bytes.</summary>
    public RapCryptoKey(string id, string secret)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(secret);
        var keyBytes = Encoding.UTF8.GetBytes(secret);
        if (keyBytes.Length != BlockSize)
        {
            throw new ArgumentException("A rap crypto secret is exactly 16 characters (16 UTF-8 bytes).", nameof(secret));
        }

        Id = id;
        _iv = keyBytes;
        _aes = Aes.Create();
        _aes.Key = keyBytes;
    }

    /// <summary>The key id (<c>crypto_id</c>).</summary>
    public string Id { get; }

    /// <summary>Encrypts <paramref name="plaintext"/> and returns the lowercase hex text as ASCII bytes.</summary>
    public byte[] EncryptToHex(ReadOnlySpan<byte> plaintext)
    {
        var padded = (plaintext.Length + BlockSize - 1) / BlockSize * BlockSize;
        var buffer = new byte[padded];
        plaintext.CopyTo(buffer);
        byte[] cipher;
        lock (_sync)
        {
            cipher = _aes.EncryptCbc(buffer, _iv, PaddingMode.None);
        }

        return Encoding.ASCII.GetBytes(Convert.ToHexStringLower(cipher));
    }

    /// <summary>
    /// Hex-decodes and decrypts; strips the trailing zero padding. <see langword="false"/> when the text is not hex of
    /// whole blocks.
    /// </summary>
    public bool TryDecryptHex(ReadOnlySpan<byte> hexAscii, out byte[] plaintext)
    {
        plaintext = [];
        if (hexAscii.Length == 0 || hexAscii.Length % (2 * BlockSize) != 0)
        {
            return false;
        }

        var cipher = new byte[hexAscii.Length / 2];
        if (Convert.FromHexString(hexAscii, cipher, out _, out var written) != System.Buffers.OperationStatus.Done || written != cipher.Length)
        {
            return false;
        }

        byte[] decrypted;
        lock (_sync)
        {
            decrypted = _aes.DecryptCbc(cipher, _iv, PaddingMode.None);
        }

        var length = decrypted.AsSpan().TrimEnd((byte)0).Length;
        plaintext = length == decrypted.Length ? decrypted : decrypted[..length];
        return true;
    }

    /// <inheritdoc />
    public void Dispose() => _aes.Dispose();
}
