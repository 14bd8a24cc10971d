using OrleansRpc.Grains.Runtime;

namespace OrleansRpc.Grains.Catalog;

/// <summary>Maps grain interfaces and grain types to the registered grain classes.</summary>
internal sealed class GrainClassRegistry
{
    private readonly Dictionary<Type, List<GrainClassInfo>> _byInterface = [];
    private readonly Dictionary<GrainType, GrainClassInfo> _byGrainType = [];

    public GrainClassRegistry(IEnumerable<Type> classes)
    {
        foreach (var type in classes)
        {
            var info = new GrainClassInfo(type);
            if (!_byGrainType.TryAdd(info.GrainType, info))
            {
                throw new InvalidOperationException(
                    $"Grain classes {_byGrainType[info.GrainType]} and {type} both map to grain type '{info.GrainType}'. Use [GrainType] to tell them apart.");
            }

            foreach (var @interface in info.Interfaces)
            {
                if (!_byInterface.TryGetValue(@interface, out var list))
                {
                    _byInterface[@interface] = list = [];
                }

                list.Add(info);
            }
        }
    }

    public GrainClassInfo Resolve(Type interfaceType, string? grainClassNamePrefix)
    {
        if (!_byInterface.TryGetValue(interfaceType, out var candidates) || candidates.Count == 0)
        {
            throw new ArgumentException($"No grain class implementing {interfaceType} is registered. Register one with AddGrain<T>().");
        }

        if (grainClassNamePrefix is not null)
        {
            var exact = candidates.Find(c => string.Equals(c.ClassType.FullName, grainClassNamePrefix, StringComparison.Ordinal));
            if (exact is not null)
            {
                return exact;
            }

            var matches = candidates.FindAll(c => c.ClassType.FullName?.StartsWith(grainClassNamePrefix, StringComparison.Ordinal) == true);
            return matches.Count switch
            {
                1 => matches[0],
                0 => throw new ArgumentException($"No grain class implementing {interfaceType} starts with '{grainClassNamePrefix}'."),
                _ => throw new ArgumentException($"Several grain classes implementing {interfaceType} start with '{grainClassNamePrefix}': {string.Join(", ", matches)}."),
            };
        }

        return candidates.Count == 1
            ? candidates[0]
            : throw new ArgumentException(
                $"Cannot resolve grain interface {interfaceType}: it is implemented by {string.Join(", ", candidates)}. Pass a grainClassNamePrefix.");
    }

    public GrainClassInfo Resolve(GrainType grainType) =>
        _byGrainType.TryGetValue(grainType, out var info)
            ? info
            : throw new ArgumentException($"No grain class with grain type '{grainType}' is registered.");
}
