using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using OrleansRpc.Grains.Concurrency;
using OrleansRpc.Grains.Runtime;

namespace OrleansRpc.Grains.Catalog;

/// <summary>Everything the runtime needs to know about one grain class, read once from its attributes.</summary>
internal sealed class GrainClassInfo
{
    private readonly ConcurrentDictionary<MethodInfo, MethodInfo> _implementationMethods = new();
    private readonly ObjectFactory _factory;

    public GrainClassInfo(Type classType)
    {
        ClassType = classType;
        GrainType = GrainType.Create(classType.GetCustomAttribute<GrainTypeAttribute>()?.GrainType ?? ConventionalName(classType));
        var worker = classType.GetCustomAttribute<StatelessWorkerAttribute>();
        IsStatelessWorker = worker is not null;
        MaxLocalWorkers = worker is null ? 1 : worker.MaxLocalWorkers > 0 ? worker.MaxLocalWorkers : Environment.ProcessorCount;
        RemoveIdleWorkers = worker?.RemoveIdleWorkers ?? false;
        IsReentrant = classType.IsDefined(typeof(ReentrantAttribute), inherit: true);
        var ageLimit = classType.GetCustomAttribute<CollectionAgeLimitAttribute>();
        KeepAlive = classType.IsDefined(typeof(KeepAliveAttribute), inherit: true) || ageLimit?.AlwaysActive == true;
        CollectionAgeLimit = ageLimit?.AgeLimit;
        IsCallFilter = typeof(IIncomingGrainCallFilter).IsAssignableFrom(classType);
        MayInterleave = ReadMayInterleave(classType);
        _factory = ActivatorUtilities.CreateFactory(classType, Type.EmptyTypes);
        Interfaces = classType.GetInterfaces().Where(IsGrainInterface).ToArray();
    }

    public Type ClassType { get; }

    public GrainType GrainType { get; }

    public bool IsStatelessWorker { get; }

    public int MaxLocalWorkers { get; }

    public bool RemoveIdleWorkers { get; }

    public bool IsReentrant { get; }

    public bool KeepAlive { get; }

    /// <summary>[CollectionAgeLimit], if any (overrides the options).</summary>
    public TimeSpan? CollectionAgeLimit { get; }

    public bool IsCallFilter { get; }

    public Func<IInvokable, bool>? MayInterleave { get; }

    public IReadOnlyList<Type> Interfaces { get; }

    public object CreateInstance(IServiceProvider services) => _factory(services, null);

    public MethodInfo GetImplementationMethod(MethodInfo interfaceMethod) =>
        _implementationMethods.GetOrAdd(interfaceMethod, static (method, type) =>
        {
            if (method.DeclaringType is not { IsInterface: true } declaring || !declaring.IsAssignableFrom(type))
            {
                return method;
            }

            var map = type.GetInterfaceMap(declaring);
            var index = Array.IndexOf(map.InterfaceMethods, method);
            return index >= 0 ? map.TargetMethods[index] : method;
        }, ClassType);

    public static bool IsGrainInterface(Type type) =>
        type.IsInterface
        && typeof(IGrain).IsAssignableFrom(type)
        && type != typeof(IGrain)
        && type != typeof(IGrainWithGuidKey)
        && type != typeof(IGrainWithIntegerKey)
        && type != typeof(IGrainWithStringKey)
        && type != typeof(IGrainWithGuidCompoundKey)
        && type != typeof(IGrainWithIntegerCompoundKey);

    public override string ToString() => ClassType.FullName ?? ClassType.Name;

    private static string ConventionalName(Type classType)
    {
        var name = classType.Name;
        var tick = name.IndexOf('`', StringComparison.Ordinal);
        if (tick >= 0)
        {
            name = name[..tick];
        }

        if (name.Length > "Grain".Length && name.EndsWith("Grain", StringComparison.Ordinal))
        {
            name = name[..^"Grain".Length];
        }

        return name.ToLowerInvariant();
    }

    private static Func<IInvokable, bool>? ReadMayInterleave(Type classType)
    {
        var attribute = classType.GetCustomAttribute<MayInterleaveAttribute>();
        if (attribute is null)
        {
            return null;
        }

        var method = classType.GetMethod(attribute.CallbackMethodName, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static, [typeof(IInvokable)]);
        if (method is null || method.ReturnType != typeof(bool))
        {
            throw new InvalidOperationException(
                $"{classType}: [MayInterleave(\"{attribute.CallbackMethodName}\")] needs a static bool {attribute.CallbackMethodName}(IInvokable) method.");
        }

        return method.CreateDelegate<Func<IInvokable, bool>>();
    }
}
