using Orleans;
using Orleans.Concurrency;

namespace OrleansRpc.Server;

/// <summary>
/// A rap session (key = 0.5.3.8 <c>session_id</c>, or a HEAD connection id): one activation cluster-wide owning the
/// session's <see cref="RapSession"/> state. Functions, generators and channel handlers that take a
/// <see cref="RapSession"/> parameter run here, next to the state. Collected after
/// <see cref="RapServerOptions.SessionIdleTimeout"/> without calls.
/// </summary>
[Alias("orleansrpc.ISessionGrain")]
public interface ISessionGrain : IGrainWithStringKey, IRapGeneratorHost, IRapChannelHost
{
    /// <summary>Binds, runs and encodes one unary call with this session's state.</summary>
    [Alias("invoke")]
    ValueTask<RapReply> InvokeAsync(RapInvocation invocation, CancellationToken cancellationToken);

    /// <summary>The session's connection closed (HEAD: the session is the connection): its state goes once idle.</summary>
    [AlwaysInterleave, Alias("end")]
    Task EndAsync();

    /// <summary>The number of items in the session (diagnostics and tests).</summary>
    [AlwaysInterleave, Alias("count")]
    Task<int> GetItemCountAsync();
}
