namespace OrleansRpc.Grains.Concurrency;

/// <summary>
/// Names a <c>public static bool Method(IInvokable request)</c> on the grain class that decides whether
/// a request may interleave.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class MayInterleaveAttribute(string callbackMethodName) : Attribute
{
    public string CallbackMethodName { get; } = callbackMethodName;
}
