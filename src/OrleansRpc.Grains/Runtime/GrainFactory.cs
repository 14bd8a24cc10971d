namespace OrleansRpc.Grains.Runtime;

/// <summary>The in-process <see cref="IGrainFactory"/> and <see cref="IClusterClient"/>.</summary>
internal sealed class GrainFactory(GrainRuntime runtime, IServiceProvider serviceProvider) : IClusterClient
{
    public IServiceProvider ServiceProvider { get; } = serviceProvider;

    public TGrainInterface GetGrain<TGrainInterface>(Guid primaryKey, string? grainClassNamePrefix = null)
        where TGrainInterface : IGrainWithGuidKey =>
        Get<TGrainInterface>(GrainIdKeyExtensions.CreateGuidKey(primaryKey), grainClassNamePrefix);

    public TGrainInterface GetGrain<TGrainInterface>(long primaryKey, string? grainClassNamePrefix = null)
        where TGrainInterface : IGrainWithIntegerKey =>
        Get<TGrainInterface>(GrainIdKeyExtensions.CreateIntegerKey(primaryKey), grainClassNamePrefix);

    public TGrainInterface GetGrain<TGrainInterface>(string primaryKey, string? grainClassNamePrefix = null)
        where TGrainInterface : IGrainWithStringKey
    {
        ArgumentNullException.ThrowIfNull(primaryKey);
        return Get<TGrainInterface>(primaryKey, grainClassNamePrefix);
    }

    public TGrainInterface GetGrain<TGrainInterface>(Guid primaryKey, string keyExtension, string? grainClassNamePrefix = null)
        where TGrainInterface : IGrainWithGuidCompoundKey
    {
        ValidateExtension(keyExtension);
        return Get<TGrainInterface>(GrainIdKeyExtensions.CreateGuidKey(primaryKey, keyExtension), grainClassNamePrefix);
    }

    public TGrainInterface GetGrain<TGrainInterface>(long primaryKey, string keyExtension, string? grainClassNamePrefix = null)
        where TGrainInterface : IGrainWithIntegerCompoundKey
    {
        ValidateExtension(keyExtension);
        return Get<TGrainInterface>(GrainIdKeyExtensions.CreateIntegerKey(primaryKey, keyExtension), grainClassNamePrefix);
    }

    public TGrainInterface GetGrain<TGrainInterface>(GrainId grainId)
        where TGrainInterface : IAddressable
    {
        if (grainId.IsDefault)
        {
            throw new ArgumentException("The grain id is empty.", nameof(grainId));
        }

        var shared = runtime.GetShared(typeof(TGrainInterface), grainId.Type);
        return (TGrainInterface)GrainRuntime.CreateReference(shared, grainId);
    }

    private TGrainInterface Get<TGrainInterface>(string key, string? grainClassNamePrefix)
    {
        var shared = runtime.GetShared(typeof(TGrainInterface), grainClassNamePrefix);
        return (TGrainInterface)GrainRuntime.CreateReference(shared, GrainId.Create(shared.GrainType, key));
    }

    private static void ValidateExtension(string keyExtension)
    {
        ArgumentNullException.ThrowIfNull(keyExtension);
        if (keyExtension.Length == 0)
        {
            throw new ArgumentException("A key extension must not be empty.", nameof(keyExtension));
        }
    }
}
