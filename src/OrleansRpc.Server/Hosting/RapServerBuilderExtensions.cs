using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace OrleansRpc.Server;

/// <summary>The C# side of rap's <c>server.register</c>.</summary>
public static class RapServerBuilderExtensions
{
    /// <summary>Registers a delegate. Lambdas need <paramref name="name"/>; a method group defaults to the method name.</summary>
    public static IRapServerBuilder AddFunction(
        this IRapServerBuilder builder, Delegate function, string? name = null, string group = RapFunctionRegistry.DefaultGroup, bool isPrivate = false, string? doc = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(function);
        builder.Services.AddSingleton(new RapFunctionRegistration((registry, _) => registry.Register(function, name, group, isPrivate, doc)));
        return builder;
    }

    /// <summary>Registers <paramref name="existingName"/> of <paramref name="group"/> again under <paramref name="alias"/>.</summary>
    public static IRapServerBuilder AddAlias(this IRapServerBuilder builder, string existingName, string alias, string group = RapFunctionRegistry.DefaultGroup)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton(new RapFunctionRegistration((registry, _) =>
        {
            var existing = registry.Find(group, existingName, RapFunctionKind.Normal)
                ?? registry.Find(group, existingName, RapFunctionKind.Generator)
                ?? registry.Find(group, existingName, RapFunctionKind.Channel)
                ?? throw new RapRegistrationException($"Cannot register alias '{group}/{alias}': '{group}/{existingName}' is not registered");
            registry.RegisterAlias(existing, alias);
        }));
        return builder;
    }

    /// <summary>
    /// Registers every public method of <typeparamref name="T"/> as one group (<see cref="RapGroupAttribute"/>, default
    /// "default"; per-method <see cref="RapFunctionAttribute"/>). The instance comes from DI (added as a singleton if missing).
    /// </summary>
    public static IRapServerBuilder AddFunctionGroup<T>(this IRapServerBuilder builder, string? group = null)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<T>();
        builder.Services.AddSingleton(new RapFunctionRegistration((registry, sp) =>
            registry.RegisterGroup(sp.GetRequiredService<T>(), group ?? typeof(T).GetCustomAttribute<RapGroupAttribute>()?.Name)));
        return builder;
    }
}
