using OrleansRpc.MessagePack;

namespace OrleansRpc.Client.Tests.Infrastructure;

/// <summary>A HEAD handler answering 101 calls from a table of functions (target → body → answer frame or null).</summary>
internal sealed class FakeFunctions
{
    private readonly Dictionary<string, Func<FakeConnection, ServerFrame, Task>> _functions = new(StringComparer.Ordinal);

    public FakeFunctions Add(string target, Func<MessagePackValue, MessagePackValue> function)
    {
        _functions[target] = (connection, frame) => connection.SendAsync(Frames.Result(frame.Id, function(frame.Body)));
        return this;
    }

    public FakeFunctions AddRaw(string target, Func<FakeConnection, ServerFrame, Task> handler)
    {
        _functions[target] = handler;
        return this;
    }

    public static FakeFunctions Standard() => new FakeFunctions()
        .Add("/default/echo", body => body["value"])
        .Add("/default/sum", body => body["a"].AsInt64() + body["b"].AsInt64())
        .Add("/default/echo_args", body => body);

    public Task HandleAsync(FakeConnection connection, ServerFrame frame)
    {
        if (frame.Type == 101 && frame.Target is { } target)
        {
            if (_functions.TryGetValue(target, out var function))
            {
                return function(connection, frame);
            }

            return connection.SendAsync(Frames.Error(101, frame.Id, 404, "Not found func. name: " + target));
        }

        return OnOther is { } other ? other(connection, frame) : Task.CompletedTask;
    }

    public Func<FakeConnection, ServerFrame, Task>? OnOther { get; set; }
}
