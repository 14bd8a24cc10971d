using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace OrleansRpc.Hosting;

/// <summary>
/// Runs a component's own validators for <typeparamref name="TOptions"/> and rewrites their messages so
/// that they name the key under the section <c>AddOrleansRpc</c> binds (<c>RapGateway:Port</c> becomes
/// <c>OrleansRpc:Gateway:Port</c>). The components keep the rules; hosting owns the key names.
/// An <see cref="ArgumentException"/> thrown by a validator becomes a failure naming its parameter.
/// </summary>
internal sealed class SectionKeyedValidator<TOptions> : IValidateOptions<TOptions>
    where TOptions : class
{
    private static readonly string[] s_properties = typeof(TOptions)
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Select(p => p.Name)
        .OrderByDescending(n => n.Length)
        .ToArray();

    private readonly string _section;
    private readonly string[] _componentPrefixes;
    private readonly IReadOnlyList<IValidateOptions<TOptions>> _inner;

    public SectionKeyedValidator(string section, IEnumerable<string> componentPrefixes, IReadOnlyList<IValidateOptions<TOptions>> inner)
    {
        _section = section;
        _componentPrefixes = [.. componentPrefixes, typeof(TOptions).Name + "."];
        _inner = inner;
    }

    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var failures = new List<string>();
        bool validated = false;
        foreach (IValidateOptions<TOptions> validator in _inner)
        {
            ValidateOptionsResult result;
            try
            {
                result = validator.Validate(name, options);
            }
            catch (ArgumentException ex) when (ex is not ArgumentNullException)
            {
                string key = ex.ParamName is { Length: > 0 } parameter ? $"{_section}:{parameter}" : _section;
                failures.Add($"{key}: {FirstLine(ex.Message)}");
                continue;
            }

            if (result.Failed)
            {
                foreach (string failure in result.Failures ?? [result.FailureMessage])
                {
                    failures.Add(Rekey(failure));
                }
            }
            else if (!result.Skipped)
            {
                validated = true;
            }
        }

        if (failures.Count > 0)
        {
            return ValidateOptionsResult.Fail(failures);
        }

        return validated ? ValidateOptionsResult.Success : ValidateOptionsResult.Skip;
    }

    /// <summary>Rewrites a component's message to name the key under <see cref="_section"/>.</summary>
    internal string Rekey(string message)
    {
        foreach (string prefix in _componentPrefixes)
        {
            message = message.Replace(prefix, _section + ":", StringComparison.Ordinal);
        }

        if (message.Contains(_section, StringComparison.Ordinal))
        {
            return message;
        }

        // "CollectionAge must be positive" -> "OrleansRpc:Grains:Collection:CollectionAge must be positive"
        foreach (string property in s_properties)
        {
            if (message.StartsWith(property, StringComparison.Ordinal)
                && (message.Length == property.Length || !char.IsLetterOrDigit(message[property.Length])))
            {
                return $"{_section}:{message}";
            }
        }

        return $"{_section}: {message}";
    }

    /// <summary>
    /// Replaces every <see cref="IValidateOptions{TOptions}"/> registered so far with one keyed validator
    /// wrapping them.
    /// </summary>
    internal static void Decorate(IServiceCollection services, string section, params string[] componentPrefixes)
    {
        ServiceDescriptor[] existing = services.Where(d => d.ServiceType == typeof(IValidateOptions<TOptions>) && !d.IsKeyedService).ToArray();
        if (existing.Length == 0)
        {
            return;
        }

        foreach (ServiceDescriptor descriptor in existing)
        {
            services.Remove(descriptor);
        }

        services.AddSingleton<IValidateOptions<TOptions>>(sp => new SectionKeyedValidator<TOptions>(
            section,
            componentPrefixes,
            existing.Select(d => Create(sp, d)).ToArray()));
    }

    private static IValidateOptions<TOptions> Create(IServiceProvider services, ServiceDescriptor descriptor) =>
        (IValidateOptions<TOptions>)(descriptor.ImplementationInstance
            ?? descriptor.ImplementationFactory?.Invoke(services)
            ?? ActivatorUtilities.CreateInstance(services, descriptor.ImplementationType!));

    private static string FirstLine(string message)
    {
        int newline = message.IndexOfAny(['\r', '\n']);
        return newline < 0 ? message : message[..newline];
    }
}
