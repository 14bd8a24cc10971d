using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using OrleansRpc.MessagePack;

namespace OrleansRpc.Protocol.Crypto;

/// <summary>
/// The crypto plug-in's envelope (§2.13, §3.13): <c>{"body": &lt;value&gt;, "timestamp": &lt;int&gt;, "nonce": &lt;unique&gt;}</c>
/// as UTF-8 JSON, encrypted with a <see cref="RapCryptoKey"/>, carried as the hex text in a msgpack bin.
/// </summary>
public static class RapCryptoEnvelope
{
    private const string NonceAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    /// <summary>Encrypts <paramref name="bodyMsgpack"/> with a str nonce; <see langword="null"/> when the body has no JSON form.</summary>
    public static byte[]? Seal(RapCryptoKey key, in ReadOnlySequence<byte> bodyMsgpack, long timestamp, string nonce) =>
        SealWithNonceJson(key, bodyMsgpack, timestamp, JsonString(nonce));

    /// <summary>Encrypts <paramref name="bodyMsgpack"/> with an int nonce (what the HEAD client sends).</summary>
    public static byte[]? Seal(RapCryptoKey key, in ReadOnlySequence<byte> bodyMsgpack, long timestamp, long nonce) =>
        SealWithNonceJson(key, bodyMsgpack, timestamp, nonce.ToString(CultureInfo.InvariantCulture));

    /// <summary>Encrypts a JSON plaintext as is (e.g. DECLARE's <c>check_body</c>, the JSON string of the key id).</summary>
    public static byte[] SealJson(RapCryptoKey key, string json)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.EncryptToHex(Encoding.UTF8.GetBytes(json));
    }

    /// <summary>The JSON text of a str (Python <c>json.dumps</c> style).</summary>
    public static string JsonString(string value)
    {
        var builder = new StringBuilder(value.Length + 2);
        var bytes = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(bytes);
        writer.Write(value);
        writer.Flush();
        var reader = new MessagePackReader(new ReadOnlySequence<byte>(bytes.WrittenMemory));
        RapJson.TryWriteJson(ref reader, builder);
        return builder.ToString();
    }

    /// <summary>A fresh server nonce the way rap makes it: 10-digit Unix time followed by 8 random letters/digits.</summary>
    public static string NewNonce(long unixSeconds) =>
        unixSeconds.ToString(CultureInfo.InvariantCulture) + RandomNumberGenerator.GetString(NonceAlphabet, 8);

    /// <summary>
    /// Decrypts and parses an envelope. <see langword="false"/> when decryption, UTF-8 or JSON parsing fails or the
    /// plaintext is not an object with a <c>body</c> (rap: "decrypt body error"). Timestamp and nonce are returned
    /// for the caller's checks; a missing one is reported as <see langword="null"/>.
    /// </summary>
    public static bool TryOpen(RapCryptoKey key, ReadOnlySpan<byte> hexAscii, out RapCryptoEnvelopeContent content)
    {
        ArgumentNullException.ThrowIfNull(key);
        content = default;
        if (!key.TryDecryptHex(hexAscii, out var plaintext))
        {
            return false;
        }

        try
        {
            var json = new Utf8JsonReader(plaintext, new JsonReaderOptions { MaxDepth = 256 });
            if (!json.Read() || json.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            byte[]? body = null;
            long? timestamp = null;
            string? nonce = null;
            while (json.Read() && json.TokenType == JsonTokenType.PropertyName)
            {
                var name = json.GetString();
                json.Read();
                switch (name)
                {
                    case "body":
                    {
                        // The body is most of the plaintext and its msgpack is no longer than its JSON but for a few
                        // header bytes: sized once, it is not grown (and copied) by doubling.
                        var output = new ArrayBufferWriter<byte>(plaintext.Length + 64);
                        var writer = new MessagePackWriter(output);
                        RapJson.WriteMessagePack(ref json, ref writer);
                        writer.Flush();
                        body = output.WrittenSpan.ToArray();
                        break;
                    }

                    case "timestamp":
                        timestamp = json.TokenType == JsonTokenType.Number
                            ? (json.TryGetInt64(out var seconds) ? seconds : (long)Math.Floor(json.GetDouble()))
                            : null;
                        break;
                    case "nonce":
                        nonce = NonceKey(ref json, plaintext);
                        break;
                    default:
                        json.Skip();
                        break;
                }
            }

            if (body is null)
            {
                return false;
            }

            content = new RapCryptoEnvelopeContent(body, timestamp, nonce);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>
    /// A replay key for the nonce, or <see langword="null"/> when it is empty/falsy the way Python's <c>not nonce</c> sees it
    /// (empty str, 0, null, false, empty list/object).
    /// </summary>
    private static string? NonceKey(ref Utf8JsonReader json, byte[] plaintext)
    {
        switch (json.TokenType)
        {
            case JsonTokenType.String:
            {
                var text = json.GetString();
                return string.IsNullOrEmpty(text) ? null : "s:" + text;
            }

            case JsonTokenType.Number:
            {
                var text = Encoding.UTF8.GetString(json.ValueSpan);
                return json.TryGetDouble(out var number) && number == 0 ? null : "n:" + text;
            }

            case JsonTokenType.True:
                return "b:true";
            case JsonTokenType.StartArray or JsonTokenType.StartObject:
            {
                var start = (int)json.TokenStartIndex;
                json.Skip();
                var raw = plaintext.AsSpan(start, (int)json.BytesConsumed - start);
                return raw.Length <= 2 ? null : "j:" + Encoding.UTF8.GetString(raw);
            }

            default:
                return null;
        }
    }

    private static byte[]? SealWithNonceJson(RapCryptoKey key, in ReadOnlySequence<byte> bodyMsgpack, long timestamp, string nonceJson)
    {
        ArgumentNullException.ThrowIfNull(key);
        var builder = new StringBuilder(64 + (int)Math.Min(bodyMsgpack.Length * 2, 1 << 20));
        builder.Append("{\"body\": ");
        var reader = new MessagePackReader(bodyMsgpack);
        if (!RapJson.TryWriteJson(ref reader, builder))
        {
            return null;
        }

        builder.Append(", \"timestamp\": ").Append(timestamp.ToString(CultureInfo.InvariantCulture))
            .Append(", \"nonce\": ").Append(nonceJson).Append('}');
        return key.EncryptToHex(Encoding.UTF8.GetBytes(builder.ToString()));
    }
}
