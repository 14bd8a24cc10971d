using System.Globalization;

namespace OrleansRpc.Protocol.Errors;

/// <summary>
/// rap's exact error texts (checked against the error_messages_exact, channel and crypto transcripts and the
/// spec's examples). Texts marked "ours" have no rap counterpart a client could depend on.
/// </summary>
public static class RapErrorMessages
{
    public const string RpcRunTimeError = "Rpc run time error";
    public const string ChannelNotCreated = "channel not create";
    public const string ChannelAlreadyCreated = "channel already create";
    public const string ChannelLifeCycleError = "channel life cycle error";
    public const string ChannelIdMissing = "channel request must channel id";
    public const string BodyMissParams = "Parse error. body miss params";
    public const string IllegalRequest = "Illegal request";
    public const string ProtocolErrorClose = "protocol error";
    public const string PongTimeout = "recv pong timeout";
    public const string KeepAliveTimeout = "keep alive timeout";
    public const string CryptoKeyError = "key error";
    public const string DecryptBodyError = "decrypt body error";

    /// <summary>Ours (CryptoError): a decrypted body over the frame limits (elements, nesting) that plain frames have.</summary>
    public const string DecryptedBodyOverLimit = "decrypt body error: the body is over the server's limits";
    public const string CryptoTimestampError = "Parse error. timeout param error";
    public const string CryptoNonceError = "Parse error. nonce param error";
    public const string LegacyCryptoIdError = "crypto id error";

    /// <summary>Ours: the answer (ServerError) of a call still running when the server's drain timeout ended.</summary>
    public const string ServerStopping = "server is stopping";

    /// <summary>Ours: a call whose parameters nest deeper than the server decodes (ParseError, the connection stays open).</summary>
    public const string ArgumentTooDeep = "Parse error. param nested too deeply";

    /// <summary>Ours: a HEAD 101 without <c>target</c> (rap sends nothing, §7 #6).</summary>
    public const string MissingTarget = "Protocol error. request has no target";

    /// <summary>Ours: a HEAD call body that is not a map.</summary>
    public const string BodyNotMap = "Parse error. body must be a map of parameters";

    /// <summary>Ours: more calls in flight on one connection than allowed.</summary>
    public const string TooManyRequests = "Too many request. in-flight call limit reached";

    /// <summary>Ours: a body cannot be encrypted (bin values or non-str keys have no JSON form).</summary>
    public const string CannotEncrypt = "crypto error. the value has no JSON form (bin or non-str map key)";

    /// <summary><c>Not found func. name: &lt;name&gt;</c>.</summary>
    public static string NotFound(string name) => "Not found func. name: " + name;

    /// <summary>HEAD private-function refusal: <c>No permission to call:`&lt;name&gt;`</c>.</summary>
    public static string NoPermission(string name) => "No permission to call:`" + name + "`";

    /// <summary>v0.5.3.8 private-function refusal: <c>No permission to call:`&lt;name&gt;`, ('&lt;ip&gt;', &lt;port&gt;)</c>.</summary>
    public static string NoPermission(string name, string peerHost, int peerPort) =>
        string.Create(CultureInfo.InvariantCulture, $"No permission to call:`{name}`, ('{peerHost}', {peerPort})");

    /// <summary>The run-timeout text carried as an <c>RpcRunTimeError</c> exception: <c>Call &lt;name&gt; timeout</c>.</summary>
    public static string CallTimeout(string name) => "Call " + name + " timeout";

    /// <summary>HEAD DECLARE with an unknown crypto key id.</summary>
    public static string UnknownCryptoId(string id) => "Can not found crypto_id:" + id;

    /// <summary>v0.5.3.8 generator requested by a client whose user_agent is not <c>Python3-0.5.3</c>.</summary>
    public static string GeneratorNotSupported(string? userAgent) => (userAgent ?? "None") + " not support generator";
}
