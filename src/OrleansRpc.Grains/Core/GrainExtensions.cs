using OrleansRpc.Grains.Runtime;

namespace OrleansRpc.Grains;

/// <summary>Key accessors for grains and grain references, as Orleans names them.</summary>
public static class GrainExtensions
{
    /// <summary>The grain id of a grain instance or reference.</summary>
    public static GrainId GetGrainId(this IAddressable grain) => grain switch
    {
        GrainReference reference => reference.GrainId,
        IGrainBase grainBase => grainBase.GrainContext.GrainId,
        null => throw new ArgumentNullException(nameof(grain)),
        _ => throw new ArgumentException($"{grain.GetType()} is neither a grain nor a grain reference.", nameof(grain)),
    };

    /// <summary>The reference behind a typed grain reference, for the low-level invoke API.</summary>
    public static GrainReference AsGrainReference(this IAddressable grain) =>
        grain as GrainReference ?? throw new ArgumentException($"{grain?.GetType()} is not a grain reference.", nameof(grain));

    public static string GetPrimaryKeyString(this IAddressable grain) => grain.GetGrainId().Key;

    public static Guid GetPrimaryKey(this IAddressable grain) => grain.GetPrimaryKey(out _);

    public static Guid GetPrimaryKey(this IAddressable grain, out string? keyExtension) =>
        grain.GetGrainId().TryGetGuidKey(out var key, out keyExtension)
            ? key
            : throw new InvalidOperationException($"{grain.GetGrainId()} does not have a Guid key.");

    public static long GetPrimaryKeyLong(this IAddressable grain) => grain.GetPrimaryKeyLong(out _);

    public static long GetPrimaryKeyLong(this IAddressable grain, out string? keyExtension) =>
        grain.GetGrainId().TryGetIntegerKey(out var key, out keyExtension)
            ? key
            : throw new InvalidOperationException($"{grain.GetGrainId()} does not have an integer key.");
}
