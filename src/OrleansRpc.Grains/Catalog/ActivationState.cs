namespace OrleansRpc.Grains.Catalog;

internal enum ActivationState
{
    /// <summary>Created, no request yet: nothing has run.</summary>
    Created,

    /// <summary>Constructing the grain and running OnActivateAsync; requests wait.</summary>
    Activating,

    /// <summary>Taking requests.</summary>
    Valid,

    /// <summary>Draining running requests and running OnDeactivateAsync; new requests wait for a new activation.</summary>
    Deactivating,

    /// <summary>Gone: requests must go elsewhere.</summary>
    Invalid,
}
