using OrleansRpc.MessagePack;
using OrleansRpc.Protocol;
using OrleansRpc.Protocol.Errors;

namespace OrleansRpc.Server;

/// <summary>
/// rap's built-in private <c>registry</c> group (RAP_PROTOCOL.md §2.12, §3.12): <c>list</c> describes every
/// registered function; <c>load</c>/<c>reload</c> import Python modules in rap and are refused here with
/// <c>RegisteredError</c> (HEAD: 301, 0.5.3.8: an exc body).
/// </summary>
public sealed class RegistryFunctions
{
    /// <summary>The group name.</summary>
    public const string Group = "registry";

    private readonly RapFunctionRegistry _registry;

    public RegistryFunctions(RapFunctionRegistry registry) => _registry = registry;

    /// <summary>Registers <c>load</c>, <c>reload</c> and <c>list</c> (rap's order), all private.</summary>
    public void Register()
    {
        _registry.Register(Load, "load", Group, isPrivate: true, doc: "load func to registry");
        _registry.Register(Reload, "reload", Group, isPrivate: true, doc: "reload func by registry");
        _registry.Register(List, "list", Group, isPrivate: true, doc: "get func info which in registry");
    }

    /// <summary>The §2.12 list: HEAD spells func_type NORMAL/CHANNEL (generators are CHANNEL, not gen funcs); 0.5.3.8 normal/channel (generators normal, gen funcs).</summary>
    public MessagePackValue List(RapCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var head = context.Version == RapVersion.Head;
        var items = new List<MessagePackValue>();
        foreach (var function in _registry.Functions)
        {
            string funcType;
            bool isGen;
            if (head)
            {
                funcType = function.Kind == RapFunctionKind.Normal ? "NORMAL" : "CHANNEL";
                isGen = false;
            }
            else
            {
                funcType = function.Kind == RapFunctionKind.Channel ? "channel" : "normal";
                isGen = function.Kind == RapFunctionKind.Generator;
            }

            var declaring = function.Method.DeclaringType;
            items.Add(MessagePackValue.FromMap(
            [
                Entry("group", function.Group),
                Entry("func_type", funcType),
                Entry("is_gen_func", isGen),
                Entry("is_private", function.IsPrivate),
                Entry("doc", function.Doc),
                Entry("func_name", function.Name),
                Entry("module_name", declaring?.FullName ?? string.Empty),
                Entry("module_file", declaring?.Assembly.GetName().Name + ".dll"),
            ]));
        }

        return MessagePackValue.FromArray(items);
    }

    public string Load(string path, string func_str, string? name = null, string? group = null, bool is_private = false, string? doc = null)
        => throw new RapFunctionException("RegisteredError", "Registered error. load is not supported by this server: functions are registered in C#");

    public string Reload(string path, string func_str, string? name = null, string? group = null, string? doc = null)
        => throw new RapFunctionException("RegisteredError", "Registered error. reload is not supported by this server: functions are registered in C#");

    private static KeyValuePair<MessagePackValue, MessagePackValue> Entry(string key, MessagePackValue value) => new(key, value);
}
