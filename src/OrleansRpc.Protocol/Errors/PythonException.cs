namespace OrleansRpc.Protocol.Errors;

/// <summary>What a rap client re-raises: a Python exception class name and its message.</summary>
/// <param name="Name">Class name, looked up by the client in rap.common.exceptions then Python's builtins.</param>
/// <param name="Message">The exception text.</param>
public readonly record struct PythonException(string Name, string Message);
