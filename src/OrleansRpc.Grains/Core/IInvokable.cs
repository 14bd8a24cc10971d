using System.Reflection;

namespace OrleansRpc.Grains;

/// <summary>The request being invoked: the method and its arguments, which filters may read and replace.</summary>
public interface IInvokable
{
    int GetArgumentCount();

    object? GetArgument(int index);

    void SetArgument(int index, object? value);

    string GetMethodName();

    string GetInterfaceName();

    MethodInfo GetMethod();
}
