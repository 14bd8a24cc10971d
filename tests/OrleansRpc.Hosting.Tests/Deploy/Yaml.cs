using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace OrleansRpc.Hosting.Tests.Deploy;

/// <summary>Untyped YAML: mappings are <c>Dictionary&lt;object, object?&gt;</c>, sequences <c>List&lt;object?&gt;</c>, scalars strings.</summary>
internal static class Yaml
{
    private static readonly IDeserializer s_deserializer = new DeserializerBuilder().Build();

    /// <summary>Every document of a YAML file.</summary>
    public static List<Dictionary<object, object?>> LoadAll(string path)
    {
        var documents = new List<Dictionary<object, object?>>();
        using var reader = new StringReader(File.ReadAllText(path));
        var parser = new Parser(reader);
        parser.Consume<StreamStart>();
        while (parser.Accept<DocumentStart>(out _))
        {
            object? document = s_deserializer.Deserialize<object?>(parser);
            if (document is not null)
            {
                documents.Add(Map(document, path));
            }
        }

        return documents;
    }

    public static Dictionary<object, object?> Map(object? node, string what) =>
        node as Dictionary<object, object?> ?? throw new Xunit.Sdk.XunitException($"{what}: expected a mapping, got {node?.GetType().Name ?? "nothing"}");

    public static Dictionary<object, object?>? MapOrNull(object? node) => node as Dictionary<object, object?>;

    public static List<object?> List(object? node) => node as List<object?> ?? [];

    public static IEnumerable<Dictionary<object, object?>> Maps(object? node) => List(node).OfType<Dictionary<object, object?>>();

    /// <summary>The node at a dotted path of mapping keys, or null.</summary>
    public static object? At(object? node, string path)
    {
        foreach (string key in path.Split('.'))
        {
            if (node is not Dictionary<object, object?> map || !map.TryGetValue(key, out node))
            {
                return null;
            }
        }

        return node;
    }

    public static string? Str(object? node, string path) => At(node, path) as string;

    public static int? Int(object? node, string path) =>
        Str(node, path) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : null;

    public static bool? Bool(object? node, string path) =>
        Str(node, path) is { } text ? bool.Parse(text) : null;

    /// <summary>A mapping of string to string (labels, matchLabels).</summary>
    public static Dictionary<string, string> Strings(object? node) =>
        MapOrNull(node)?.ToDictionary(kv => (string)kv.Key, kv => kv.Value as string ?? string.Empty, StringComparer.Ordinal) ?? [];

    public static string Kind(Dictionary<object, object?> resource) => Str(resource, "kind") ?? "";

    public static string Name(Dictionary<object, object?> resource) => Str(resource, "metadata.name") ?? "";

    /// <summary>A deep copy, so patches never alter loaded files.</summary>
    public static object? Clone(object? node) => node switch
    {
        Dictionary<object, object?> map => map.ToDictionary(kv => kv.Key, kv => Clone(kv.Value)),
        List<object?> list => list.Select(Clone).ToList(),
        _ => node,
    };

    /// <summary>
    /// A strategic-merge-patch approximation sufficient for these manifests: mappings merge recursively;
    /// lists of mappings that all carry a <c>name</c> merge item by item on it (containers, env, ports);
    /// any other value is replaced.
    /// </summary>
    public static object? Merge(object? target, object? patch)
    {
        if (target is Dictionary<object, object?> targetMap && patch is Dictionary<object, object?> patchMap)
        {
            foreach ((object key, object? value) in patchMap)
            {
                targetMap[key] = targetMap.TryGetValue(key, out object? existing) ? Merge(existing, value) : Clone(value);
            }

            return targetMap;
        }

        if (target is List<object?> targetList && patch is List<object?> patchList && IsNamedList(targetList) && IsNamedList(patchList))
        {
            foreach (Dictionary<object, object?> item in patchList.Cast<Dictionary<object, object?>>())
            {
                Dictionary<object, object?>? existing = targetList.Cast<Dictionary<object, object?>>().FirstOrDefault(t => Equals(t["name"], item["name"]));
                if (existing is null)
                {
                    targetList.Add(Clone(item));
                }
                else
                {
                    Merge(existing, item);
                }
            }

            return targetList;
        }

        return Clone(patch);
    }

    private static bool IsNamedList(List<object?> list) =>
        list.Count > 0 && list.All(i => i is Dictionary<object, object?> map && map.ContainsKey("name"));
}
