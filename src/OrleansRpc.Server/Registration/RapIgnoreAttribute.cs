namespace OrleansRpc.Server;

/// <summary>Keeps a public method of a <see cref="RapGroupAttribute"/> class out of the registry.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class RapIgnoreAttribute : Attribute;
