namespace OrleansRpc.Protocol.Errors;

/// <summary>The status-code tables of both generations (§2.6, §3.6) and conversions between them.</summary>
public static class RapStatusCodes
{
    /// <summary>Success (absent in HEAD success headers, always present in v0.5.3.8).</summary>
    public const int Ok = 200;

    /// <summary>HEAD: the function raised; body <c>[class name, message]</c>.</summary>
    public const int HeadInvokeError = 301;

    /// <summary>v0.5.3.8: async generator exhausted; body <c>{"call_id": id}</c>.</summary>
    public const int LegacyGeneratorEnd = 301;

    /// <summary>v0.5.3.8: result type differs from the annotation (treated as success by the client).</summary>
    public const int LegacyResultTypeMismatch = 302;

    /// <summary>The wire status code of <paramref name="kind"/> in <paramref name="version"/>.</summary>
    public static int ToWire(RapErrorKind kind, RapVersion version) => version == RapVersion.Head
        ? kind switch
        {
            RapErrorKind.AuthError => 401,
            RapErrorKind.FuncNotFound => 404,
            RapErrorKind.TooManyRequest => 429,
            RapErrorKind.ServerError => 500,
            RapErrorKind.LifeCycleError => 1001,
            RapErrorKind.ParseError => 1002,
            RapErrorKind.ProtocolError => 1003,
            RapErrorKind.RegisteredError => 1004,
            RapErrorKind.RpcRunTimeError => 1005,
            RapErrorKind.RpcError => 1006,
            RapErrorKind.CryptoError => 1007,
            RapErrorKind.ChannelError => 1008,
            RapErrorKind.ChannelLifecycleError => 10081,
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        }
        : kind switch
        {
            RapErrorKind.ServerError or RapErrorKind.RpcError => 500,
            RapErrorKind.AuthError => 501,
            RapErrorKind.FuncNotFound => 502,
            RapErrorKind.LifeCycleError => 503,
            RapErrorKind.ParseError => 504,
            RapErrorKind.ProtocolError => 505,
            RapErrorKind.RegisteredError => 506,
            RapErrorKind.RpcRunTimeError => 508,
            RapErrorKind.CryptoError => 509,
            RapErrorKind.ChannelError or RapErrorKind.ChannelLifecycleError => 510,
            RapErrorKind.TooManyRequest => 511,
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };

    /// <summary>The error class a client of <paramref name="version"/> raises for <paramref name="statusCode"/>, if any.</summary>
    public static RapErrorKind? FromWire(long statusCode, RapVersion version) => version == RapVersion.Head
        ? statusCode switch
        {
            401 => RapErrorKind.AuthError,
            404 => RapErrorKind.FuncNotFound,
            429 => RapErrorKind.TooManyRequest,
            500 => RapErrorKind.ServerError,
            1001 => RapErrorKind.LifeCycleError,
            1002 => RapErrorKind.ParseError,
            1003 => RapErrorKind.ProtocolError,
            1004 => RapErrorKind.RegisteredError,
            1005 => RapErrorKind.RpcRunTimeError,
            1006 => RapErrorKind.RpcError,
            1007 => RapErrorKind.CryptoError,
            1008 => RapErrorKind.ChannelError,
            10081 => RapErrorKind.ChannelLifecycleError,
            _ => null,
        }
        : statusCode switch
        {
            500 => RapErrorKind.ServerError,
            501 => RapErrorKind.AuthError,
            502 => RapErrorKind.FuncNotFound,
            503 => RapErrorKind.LifeCycleError,
            504 => RapErrorKind.ParseError,
            505 => RapErrorKind.ProtocolError,
            506 => RapErrorKind.RegisteredError,
            508 => RapErrorKind.RpcRunTimeError,
            509 => RapErrorKind.CryptoError,
            510 => RapErrorKind.ChannelError,
            511 => RapErrorKind.TooManyRequest,
            _ => null,
        };

    /// <summary>The Python class name in <c>rap.common.exceptions</c> the client raises for <paramref name="kind"/>.</summary>
    public static string PythonClassName(RapErrorKind kind) => kind switch
    {
        RapErrorKind.AuthError => "AuthError",
        RapErrorKind.FuncNotFound => "FuncNotFoundError",
        RapErrorKind.TooManyRequest => "TooManyRequest",
        RapErrorKind.ServerError => "ServerError",
        RapErrorKind.LifeCycleError => "LifeCycleError",
        RapErrorKind.ParseError => "ParseError",
        RapErrorKind.ProtocolError => "ProtocolError",
        RapErrorKind.RegisteredError => "RegisteredError",
        RapErrorKind.RpcRunTimeError => "RpcRunTimeError",
        RapErrorKind.RpcError => "RPCError",
        RapErrorKind.CryptoError => "CryptoError",
        RapErrorKind.ChannelError => "ChannelError",
        RapErrorKind.ChannelLifecycleError => "ChannelLifecycleError",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
