namespace OrleansRpc.Grains;

/// <summary>The in-process client: a grain factory plus the silo's services (stream providers live there).</summary>
public interface IClusterClient : IGrainFactory
{
    /// <summary>The silo's service provider.</summary>
    IServiceProvider ServiceProvider { get; }
}
