using OrleansRpc.Gateway.Connections;

namespace OrleansRpc.Gateway.Tests.Infrastructure;

internal sealed class TestFrameHandlerFactory(TestCalls calls) : IRapFrameHandlerFactory
{
    public IRapFrameHandler Create(RapConnection connection) => new TestFrameHandler(connection, calls);
}
