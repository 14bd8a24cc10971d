using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansRpc.MessagePack;
using OrleansRpc.Middleware.Connections;
using OrleansRpc.Middleware.Crypto;
using OrleansRpc.Middleware.Diagnostics;
using OrleansRpc.Middleware.IpFiltering;
using OrleansRpc.Server;

namespace OrleansRpc.Middleware.Admin;

/// <summary>
/// rap's plug-in administration functions (RAP_PROTOCOL.md §2.12): private (loopback callers only), in a group named
/// after rap's plug-in class, with rap's function and parameter names (rap strips leading underscores).
/// </summary>
public static class RapAdminFunctions
{
    /// <summary>rap's group of the connection limit.</summary>
    public const string ConnectionLimitGroup = "ConnLimitMiddleware";

    /// <summary>rap's group of the per-IP connection limit.</summary>
    public const string IpConnectionLimitGroup = "IpMaxConnMiddleware";

    /// <summary>rap's group of the IP filter.</summary>
    public const string IpFilterGroup = "IpFilterMiddleware";

    /// <summary>rap's group of the crypto plug-in.</summary>
    public const string CryptoGroup = "CryptoProcessor";

    /// <summary><c>get_conn_limit_info</c>, <c>modify_max_conn</c>, <c>modify_release_timestamp</c>.</summary>
    public static RapFunctionRegistration ConnectionLimit() => new((registry, services) =>
    {
        RapConnectionLimiter limiter = services.GetRequiredService<RapConnectionLimiter>();
        ILogger logger = Logger(services);
        registry.Register(
            () => MessagePackValue.FromMap(
                ("release_timestamp", limiter.ReleaseAt.ToUnixTimeSeconds()),
                ("conn_count", limiter.Count),
                ("max_conn", limiter.MaxConnections)),
            "get_conn_limit_info", ConnectionLimitGroup, isPrivate: true, doc: "get conn limit info");
        registry.Register(
            (int max_conn) =>
            {
                limiter.MaxConnections = max_conn;
                MiddlewareLog.AdminChange(logger, "ConnLimitMiddleware max_conn=" + max_conn);
            },
            "modify_max_conn", ConnectionLimitGroup, isPrivate: true, doc: "modify max conn");
        registry.Register(
            (long timestamp) =>
            {
                limiter.ReleaseAt = DateTimeOffset.FromUnixTimeSeconds(timestamp);
                MiddlewareLog.AdminChange(logger, "ConnLimitMiddleware release_timestamp=" + timestamp);
            },
            "modify_release_timestamp", ConnectionLimitGroup, isPrivate: true, doc: "modify release timestamp");
    });

    /// <summary><c>modify_max_ip_max_conn</c>, <c>modify_ip_max_timeout</c>, <c>get_info</c>.</summary>
    public static RapFunctionRegistration IpConnectionLimit() => new((registry, services) =>
    {
        RapIpConnectionLimiter limiter = services.GetRequiredService<RapIpConnectionLimiter>();
        ILogger logger = Logger(services);
        registry.Register(
            (int ip_max) =>
            {
                limiter.MaxConnectionsPerIp = ip_max;
                MiddlewareLog.AdminChange(logger, "IpMaxConnMiddleware ip_max_conn=" + ip_max);
            },
            "modify_max_ip_max_conn", IpConnectionLimitGroup, isPrivate: true, doc: "modify ip max conn");
        registry.Register(
            (int timeout) =>
            {
                limiter.Timeout = TimeSpan.FromSeconds(timeout);
                MiddlewareLog.AdminChange(logger, "IpMaxConnMiddleware timeout=" + timeout);
            },
            "modify_ip_max_timeout", IpConnectionLimitGroup, isPrivate: true, doc: "modify ip statistics timeout");
        registry.Register(
            () => MessagePackValue.FromMap(("ip_max_conn", limiter.MaxConnectionsPerIp), ("timeout", (long)limiter.Timeout.TotalSeconds)),
            "get_info", IpConnectionLimitGroup, isPrivate: true, doc: "get ip max conn info");
    });

    /// <summary><c>add_allow_ip</c>, <c>add_block_ip</c>, <c>remove_allow_ip</c>, <c>remove_block_ip</c>, <c>get_allow_ip</c>, <c>get_block_ip</c>.</summary>
    public static RapFunctionRegistration IpFilter() => new((registry, services) =>
    {
        RapIpFilter filter = services.GetRequiredService<RapIpFilter>();
        ILogger logger = Logger(services);
        void Change(string what, MessagePackValue ip, Action<IEnumerable<string>> apply)
        {
            IReadOnlyList<string> entries = Entries(ip);
            apply(entries);
            MiddlewareLog.AdminChange(logger, "IpFilterMiddleware " + what + " " + string.Join(", ", entries));
        }

        registry.Register((MessagePackValue ip) => Change("add_allow_ip", ip, filter.AddAllow), "add_allow_ip", IpFilterGroup, isPrivate: true, doc: "add allow ip (str or list of str, CIDR allowed)");
        registry.Register((MessagePackValue ip) => Change("add_block_ip", ip, filter.AddBlock), "add_block_ip", IpFilterGroup, isPrivate: true, doc: "add block ip (str or list of str, CIDR allowed)");
        registry.Register((MessagePackValue ip) => Change("remove_allow_ip", ip, filter.RemoveAllow), "remove_allow_ip", IpFilterGroup, isPrivate: true, doc: "remove allow ip");
        registry.Register((MessagePackValue ip) => Change("remove_block_ip", ip, filter.RemoveBlock), "remove_block_ip", IpFilterGroup, isPrivate: true, doc: "remove block ip");
        registry.Register(() => ToArray(filter.AllowList), "get_allow_ip", IpFilterGroup, isPrivate: true, doc: "get allow ip list");
        registry.Register(() => ToArray(filter.BlockList), "get_block_ip", IpFilterGroup, isPrivate: true, doc: "get block ip list");
    });

    /// <summary><c>modify_crypto_timeout</c>, <c>modify_crypto_nonce_timeout</c>, <c>get_crypto_key_id_list</c>, <c>load_aes_key_dict</c>, <c>remove_aes</c>.</summary>
    public static RapFunctionRegistration Crypto() => new((registry, services) =>
    {
        RapCryptoSettings settings = services.GetRequiredService<RapCryptoSettings>();
        ILogger logger = Logger(services);
        registry.Register(
            (int timeout) =>
            {
                settings.MaxAge = TimeSpan.FromSeconds(timeout);
                MiddlewareLog.AdminChange(logger, "CryptoProcessor timeout=" + timeout);
            },
            "modify_crypto_timeout", CryptoGroup, isPrivate: true, doc: "modify crypto timeout param");
        registry.Register(
            (int timeout) =>
            {
                settings.NonceLifetime = TimeSpan.FromSeconds(timeout);
                MiddlewareLog.AdminChange(logger, "CryptoProcessor nonce_timeout=" + timeout);
            },
            "modify_crypto_nonce_timeout", CryptoGroup, isPrivate: true, doc: "modify crypto nonce timeout param");
        registry.Register(() => ToArray([.. settings.Keys.Keys]), "get_crypto_key_id_list", CryptoGroup, isPrivate: true, doc: "get crypto key in list");
        registry.Register(
            (Dictionary<string, string> aes_key_dict) =>
            {
                settings.Load(aes_key_dict);
                MiddlewareLog.AdminChange(logger, "CryptoProcessor loaded key ids " + string.Join(", ", aes_key_dict.Keys));
            },
            "load_aes_key_dict", CryptoGroup, isPrivate: true, doc: "load aes key dict. eg{'key_id': 'xxxxxxxxxxxxxxxx'}");
        registry.Register(
            (string key) =>
            {
                if (settings.Remove(key))
                {
                    MiddlewareLog.AdminChange(logger, "CryptoProcessor removed key id " + key);
                }
            },
            "remove_aes", CryptoGroup, isPrivate: true, doc: "delete aes value by key");
    });

    private static ILogger Logger(IServiceProvider services) =>
        services.GetService<ILoggerFactory>()?.CreateLogger("OrleansRpc.Middleware.Admin") ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    /// <summary>rap accepts one address (str) or a list of them.</summary>
    private static IReadOnlyList<string> Entries(MessagePackValue ip)
    {
        if (ip.IsString)
        {
            return [ip.AsString()];
        }

        if (ip.Kind == MessagePackValueKind.Array)
        {
            return [.. ip.AsArray().Select(static v => v.IsString ? v.AsString() : throw new ArgumentException("ip must be a str or a list of str"))];
        }

        throw new ArgumentException("ip must be a str or a list of str");
    }

    private static MessagePackValue ToArray(IReadOnlyList<string> items) => MessagePackValue.FromArray([.. items.Select(static s => MessagePackValue.FromString(s))]);
}
