using System.Reflection;
using OrleansRpc.Grains.Runtime;

namespace OrleansRpc.Grains;

/// <summary>An incoming call as seen by an <see cref="IIncomingGrainCallFilter"/>.</summary>
public interface IIncomingGrainCallContext : IGrainCallContext
{
    /// <summary>The activation receiving the call.</summary>
    IGrainContext TargetContext { get; }

    /// <summary>The grain class's method implementing <see cref="IGrainCallContext.InterfaceMethod"/>.</summary>
    MethodInfo ImplementationMethod { get; }
}
