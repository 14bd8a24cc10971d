using OrleansRpc.Protocol.Errors;

namespace OrleansRpc.Protocol.Tests.Errors;

/// <summary>Status-code tables (§2.6, §3.6) and the .NET → Python exception-name mapping (§2.8, §3.8).</summary>
public class ErrorModelTests
{
    [Theory]
    [InlineData(RapErrorKind.AuthError, 401, 501, "AuthError")]
    [InlineData(RapErrorKind.FuncNotFound, 404, 502, "FuncNotFoundError")]
    [InlineData(RapErrorKind.TooManyRequest, 429, 511, "TooManyRequest")]
    [InlineData(RapErrorKind.ServerError, 500, 500, "ServerError")]
    [InlineData(RapErrorKind.LifeCycleError, 1001, 503, "LifeCycleError")]
    [InlineData(RapErrorKind.ParseError, 1002, 504, "ParseError")]
    [InlineData(RapErrorKind.ProtocolError, 1003, 505, "ProtocolError")]
    [InlineData(RapErrorKind.RegisteredError, 1004, 506, "RegisteredError")]
    [InlineData(RapErrorKind.RpcRunTimeError, 1005, 508, "RpcRunTimeError")]
    [InlineData(RapErrorKind.RpcError, 1006, 500, "RPCError")]
    [InlineData(RapErrorKind.CryptoError, 1007, 509, "CryptoError")]
    [InlineData(RapErrorKind.ChannelError, 1008, 510, "ChannelError")]
    [InlineData(RapErrorKind.ChannelLifecycleError, 10081, 510, "ChannelLifecycleError")]
    public void Every_status_code_of_both_tables(RapErrorKind kind, int head, int legacy, string pythonName)
    {
        Assert.Equal(head, RapStatusCodes.ToWire(kind, RapVersion.Head));
        Assert.Equal(legacy, RapStatusCodes.ToWire(kind, RapVersion.V0538));
        Assert.Equal(kind, RapStatusCodes.FromWire(head, RapVersion.Head));
        Assert.Equal(pythonName, RapStatusCodes.PythonClassName(kind));
    }

    [Theory]
    [InlineData(200)]
    [InlineData(301)]
    [InlineData(302)]
    [InlineData(555)]
    public void Codes_outside_the_tables_are_success_for_the_client(int code)
    {
        Assert.Null(RapStatusCodes.FromWire(code, RapVersion.Head));
        Assert.Null(RapStatusCodes.FromWire(code, RapVersion.V0538));
    }

    [Fact]
    public void Exact_rap_texts()
    {
        Assert.Equal("Not found func. name: nope", RapErrorMessages.NotFound("nope"));
        Assert.Equal("No permission to call:`secret_info`", RapErrorMessages.NoPermission("secret_info"));
        Assert.Equal("No permission to call:`secret_info`, ('simulated-remote', 42114)", RapErrorMessages.NoPermission("secret_info", "simulated-remote", 42114));
        Assert.Equal("Call slow timeout", RapErrorMessages.CallTimeout("slow"));
        Assert.Equal("Can not found crypto_id:x", RapErrorMessages.UnknownCryptoId("x"));
        Assert.Equal("Other not support generator", RapErrorMessages.GeneratorNotSupported("Other"));
    }

    private sealed class PlainUserException(string message) : Exception(message);

    private sealed class ArgumentFlavouredUserException(string message) : ArgumentException(message);

    [PythonException("ConformanceError")]
    private class AttributedException(string message) : Exception(message);

    private sealed class DerivedFromAttributed(string message) : AttributedException(message);

    private sealed class Generic<T>(string message) : Exception(message);

    [Theory]
    [InlineData(typeof(ArgumentException), "ValueError")]
    [InlineData(typeof(ArgumentNullException), "ValueError")]
    [InlineData(typeof(ArgumentOutOfRangeException), "ValueError")]
    [InlineData(typeof(FormatException), "ValueError")]
    [InlineData(typeof(KeyNotFoundException), "KeyError")]
    [InlineData(typeof(DivideByZeroException), "ZeroDivisionError")]
    [InlineData(typeof(OverflowException), "OverflowError")]
    [InlineData(typeof(TimeoutException), "TimeoutError")]
    [InlineData(typeof(InvalidOperationException), "RuntimeError")]
    [InlineData(typeof(ObjectDisposedException), "RuntimeError")]
    [InlineData(typeof(NotImplementedException), "NotImplementedError")]
    [InlineData(typeof(IndexOutOfRangeException), "IndexError")]
    [InlineData(typeof(NullReferenceException), "NullReferenceException")]
    [InlineData(typeof(PlainUserException), "PlainUserException")]
    [InlineData(typeof(ArgumentFlavouredUserException), "ArgumentFlavouredUserException")]
    [InlineData(typeof(AttributedException), "ConformanceError")]
    [InlineData(typeof(DerivedFromAttributed), "ConformanceError")]
    [InlineData(typeof(Generic<int>), "Generic")]
    public void Default_mapping(Type type, string expected)
    {
        var exception = (Exception)Activator.CreateInstance(type, type.GetConstructor([typeof(string)]) is null ? [] : ["boom"])!;
        var mapped = new PythonExceptionMapper().Map(exception);
        Assert.Equal(expected, mapped.Name);
        Assert.Equal(exception.Message, mapped.Message);
    }

    [Fact]
    public void Registrations_override_defaults_and_apply_to_derived_types()
    {
        var mapper = new PythonExceptionMapper().Register<InvalidOperationException>("LookupError");
        Assert.Equal("LookupError", mapper.Map(new InvalidOperationException("x")).Name);
        Assert.Equal("LookupError", mapper.Map(new ObjectDisposedException("x")).Name);
        Assert.Equal("ValueError", mapper.Map(new ArgumentException("x")).Name);
        Assert.Equal("RuntimeError", PythonExceptionMapper.Default.Map(new InvalidOperationException("x")).Name);
    }

    [Fact]
    public void RapFunctionException_names_its_class_and_wrappers_are_unwrapped()
    {
        var mapper = new PythonExceptionMapper();
        Assert.Equal(new PythonException("MyCustomError", "m"), mapper.Map(new RapFunctionException("MyCustomError", "m")));
        Assert.Equal(new PythonException("KeyError", "'k'"), mapper.Map(new AggregateException(new KeyNotFoundException("'k'"))));
        Assert.Equal("ZeroDivisionError", mapper.Map(new System.Reflection.TargetInvocationException(new DivideByZeroException())).Name);
    }

    private sealed class CustomMapper : IPythonExceptionMapper
    {
        public PythonException Map(Exception exception) => new("Custom", exception.Message);
    }

    [Fact]
    public void A_custom_mapper_is_used_by_the_connection()
    {
        var harness = new Connections.ConnectionHarness();
        harness.DeclareHead();
        harness.Feed(Connections.ConnectionHarness.HeadCall(11, "/default/x", Connections.ConnectionHarness.Map()));
        harness.Connection.FailCall(harness.Handler.Calls[0].Token, new InvalidOperationException("bad"), new CustomMapper());
        var frame = harness.TakeSingle();
        Assert.Equal(301, frame[2]["status_code"].AsInt64());
        Assert.Equal("Custom", frame[3][0].AsString());
        Assert.Equal("bad", frame[3][1].AsString());
    }
}
