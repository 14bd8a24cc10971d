using Microsoft.Extensions.Options;
using Orleans.Metadata;
using Orleans.Runtime;

namespace OrleansRpc.Server;

/// <summary>
/// Sets the <see cref="FunctionGroupGrain"/>'s stateless-worker cap from <see cref="RapServerOptions.MaxLocalWorkers"/>
/// (the attribute's constant cannot follow configuration). Registered after Orleans' own providers, so it wins.
/// </summary>
internal sealed class FunctionGroupGrainProperties(IOptions<RapServerOptions> options) : IGrainPropertiesProvider
{
    // Orleans' StatelessWorkerPlacement reads its cap from this grain property.
    private const string MaxLocalProperty = "max-local-instances";

    public void Populate(Type grainClass, GrainType grainType, Dictionary<string, string> properties)
    {
        if (grainClass == typeof(FunctionGroupGrain) && properties.ContainsKey(MaxLocalProperty))
        {
            properties[MaxLocalProperty] = options.Value.MaxLocalWorkers.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }
}
