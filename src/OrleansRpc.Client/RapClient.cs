using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansRpc.Client.Connections;
using OrleansRpc.Client.Proxies;
using OrleansRpc.Client.Serialization;
using OrleansRpc.MessagePack;
using OrleansRpc.Protocol;

namespace OrleansRpc.Client;

/// <summary>
/// A client of one or more rap servers. Thread-safe; create one per application (or register it with
/// <see cref="RapClientServiceCollectionExtensions.AddRapClient"/>) and share it.
/// Calls by name (<see cref="InvokeAsync{T}(string, string, RapArgs?, RapCallOptions?, CancellationToken)"/>), typed
/// proxies (<see cref="CreateProxy{T}"/>), generators (<see cref="StreamAsync{T}"/>), channels
/// (<see cref="OpenChannelAsync"/>) and sessions (<see cref="CreateSession"/>, <see cref="BeginSession"/>).
/// </summary>
public sealed class RapClient : IAsyncDisposable
{
    /// <summary>rap's default group.</summary>
    public const string DefaultGroup = "default";

    internal static readonly AsyncLocal<RapSession?> AmbientSession = new();

    private static readonly MessagePackValue s_emptyMap = MessagePackValue.FromMap(Array.Empty<(string, MessagePackValue)>());
    private readonly RapClientContext _context;
    private readonly RapConnectionPool[] _pools;
    private int _roundRobin;
    private int _disposed;

    /// <summary>Creates a client; nothing connects until <see cref="StartAsync"/> or the first call.</summary>
    public RapClient(RapClientOptions options, ILogger<RapClient>? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var validation = new RapClientOptionsValidator().Validate(null, options);
        if (validation.Failed)
        {
            throw new ArgumentException("Invalid RapClientOptions: " + validation.FailureMessage, nameof(options));
        }

        Options = options;
        _context = new RapClientContext(options, (ILogger?)logger ?? NullLogger.Instance, timeProvider ?? TimeProvider.System);
        _pools = [.. options.Endpoints.Select(e => new RapConnectionPool(_context, RapEndpoint.Parse(e)))];
    }

    /// <summary>The options the client runs with (do not change them after creation).</summary>
    public RapClientOptions Options { get; }

    /// <summary>The session made ambient by <see cref="BeginSession"/> in the current async flow, if any.</summary>
    public static RapSession? CurrentSession => AmbientSession.Value;

    /// <summary>Shortcut: a client for one endpoint.</summary>
    public static RapClient Create(string endpoint, Action<RapClientOptions>? configure = null)
    {
        var options = new RapClientOptions();
        options.Endpoints.Add(endpoint);
        configure?.Invoke(options);
        return new RapClient(options);
    }

    /// <summary>
    /// Opens the first connection to every endpoint (like rap's <c>client.start()</c>); optional. Throws the connect
    /// or handshake error of the first endpoint that cannot be reached (no retry).
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        foreach (var pool in _pools)
        {
            var connection = await pool.AcquireAsync(cancellationToken, failFast: true).ConfigureAwait(false);
            pool.Release(connection);
        }
    }

    /// <summary>Calls <c>/group/name</c> with arguments by name and reads the result as <typeparamref name="T"/>.</summary>
    public ValueTask<T> InvokeAsync<T>(string group, string name, RapArgs? args = null, RapCallOptions? options = null, CancellationToken cancellationToken = default) =>
        InvokeCoreAsync<T>(null, group, name, args ?? RapArgs.Empty, options, cancellationToken);

    /// <summary>
    /// Calls with the properties of an object (e.g. <c>new { a = 1, b = 2 }</c>) or the entries of a str-keyed
    /// dictionary as arguments.
    /// </summary>
    public ValueTask<T> InvokeAsync<T>(string group, string name, object args, RapCallOptions? options = null, CancellationToken cancellationToken = default) =>
        InvokeCoreAsync<T>(null, group, name, RapArgs.FromObject(args), options, cancellationToken);

    /// <summary>Calls with (name, value) tuples.</summary>
    public ValueTask<T> InvokeAsync<T>(string group, string name, params (string Name, object? Value)[] args) =>
        InvokeCoreAsync<T>(null, group, name, RapArgs.Of(args), null, CancellationToken.None);

    /// <summary>Calls a function of the default group with (name, value) tuples.</summary>
    public ValueTask<T> InvokeDefaultAsync<T>(string name, params (string Name, object? Value)[] args) =>
        InvokeCoreAsync<T>(null, DefaultGroup, name, RapArgs.Of(args), null, CancellationToken.None);

    /// <summary>Iterates an async generator (HEAD: a channel whose items end with DROP). Breaking early stops it server-side.</summary>
    public IAsyncEnumerable<T> StreamAsync<T>(string group, string name, RapArgs? args = null, RapCallOptions? options = null, CancellationToken cancellationToken = default) =>
        StreamCoreAsync<T>(null, group, name, args ?? RapArgs.Empty, options, cancellationToken);

    /// <summary>Opens a channel to a channel function.</summary>
    public Task<RapChannel> OpenChannelAsync(string group, string name, MessagePackValue? metadata = null, CancellationToken cancellationToken = default) =>
        OpenChannelCoreAsync(null, group, name, metadata, cancellationToken);

    /// <summary>A new explicit session (calls through it share one connection).</summary>
    public RapSession CreateSession() => new(this, ambient: false, previousAmbient: null);

    /// <summary>
    /// Starts an ambient session for the current async flow: calls made through this client (and its proxies) use it
    /// until the returned session is disposed.
    /// </summary>
    public RapSession BeginSession()
    {
        var session = new RapSession(this, ambient: true, previousAmbient: AmbientSession.Value);
        AmbientSession.Value = session;
        return session;
    }

    /// <summary>A typed proxy: an implementation of <typeparamref name="T"/> whose methods call remote functions.</summary>
    public T CreateProxy<T>()
        where T : class => RapProxyFactory.Create<T>(this);

    /// <summary>
    /// Connects to the first endpoint if needed (TCP, TLS, DECLARE) and sends one HEAD ping; returns its round-trip
    /// time. Throws <see cref="NotSupportedException"/> in 0.5.3.8 mode (its clients never ping).
    /// </summary>
    public async Task<TimeSpan> PingAsync(CancellationToken cancellationToken = default)
    {
        var pool = _pools[0];
        var connection = await pool.AcquireAsync(cancellationToken, failFast: true).ConfigureAwait(false);
        try
        {
            return await connection.PingAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            pool.Release(connection);
        }
    }

    /// <summary>Connections currently open per endpoint (diagnostics).</summary>
    public IReadOnlyDictionary<RapEndpoint, int> GetConnectionCounts() =>
        _pools.ToDictionary(p => p.Endpoint, p => p.Connections.Count);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        foreach (var pool in _pools)
        {
            await pool.DisposeAsync().ConfigureAwait(false);
        }

        _context.Dispose();
    }

    internal IReadOnlyList<RapConnectionPool> Pools => _pools;

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    internal async ValueTask<T> InvokeCoreAsync<T>(RapSession? session, string group, string name, RapArgs args, RapCallOptions? options, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        session ??= AmbientSession.Value;
        var timeout = ResolveTimeout(options, out var deadline);
        var timeoutSource = timeout == Timeout.InfiniteTimeSpan ? null : RapTimeoutSources.Rent(timeout);
        try
        {
            RapConnectionPool pool;
            RapClientConnection connection;
            try
            {
                (pool, connection) = await AcquireForCallAsync(session, cancellationToken, timeoutSource).ConfigureAwait(false);
            }
            catch (OperationCanceledException ex) when (timeoutSource is { IsCancellationRequested: true } && !cancellationToken.IsCancellationRequested)
            {
                throw new RapConnectionException($"No connection for {group}/{name} within {timeout}.", LastConnectError() ?? ex);
            }

            try
            {
                var call = connection.StartCall<T>(group, name, args, options, deadline, session?.SessionId);

                // Two registrations instead of a linked source: no allocation unless a token is actually cancellable.
                using var cancelRegistration = cancellationToken.CanBeCanceled
                    ? cancellationToken.UnsafeRegister(static (state, t) => ((RapPendingCall<T>)state!).Abandon(new OperationCanceledException(t)), call)
                    : default;
                using var timeoutRegistration = timeoutSource is not null
                    ? timeoutSource.Token.UnsafeRegister(static state => ((RapPendingCall<T>)state!).Abandon(new RapTimeoutException()), call)
                    : default;
                return await call.Task.ConfigureAwait(false);
            }
            catch (RapTimeoutException ex) when (timeoutSource is { IsCancellationRequested: true })
            {
                throw new RapTimeoutException($"The call {group}/{name} got no answer within {timeout}.", ex);
            }
            finally
            {
                pool.Release(connection);
            }
        }
        finally
        {
            if (timeoutSource is not null)
            {
                RapTimeoutSources.Return(timeoutSource);
            }
        }
    }

    /// <summary>A slot for a call: synchronously when one is free, else waiting with the caller's token and the timeout.</summary>
    private ValueTask<(RapConnectionPool Pool, RapClientConnection Connection)> AcquireForCallAsync(
        RapSession? session, CancellationToken cancellationToken, CancellationTokenSource? timeoutSource)
    {
        if (session is null)
        {
            for (var i = 0; i < _pools.Length; i++)
            {
                var pool = _pools[(int)((uint)Interlocked.Increment(ref _roundRobin) % (uint)_pools.Length)];
                if (pool.TryAcquire() is { } ready)
                {
                    return new((pool, ready));
                }
            }
        }

        return AcquireSlowAsync(session, cancellationToken, timeoutSource);
    }

    private async ValueTask<(RapConnectionPool Pool, RapClientConnection Connection)> AcquireSlowAsync(
        RapSession? session, CancellationToken cancellationToken, CancellationTokenSource? timeoutSource)
    {
        using var linked = timeoutSource is null
            ? null
            : cancellationToken.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token) : null;
        var token = linked?.Token ?? timeoutSource?.Token ?? cancellationToken;
        return session is null
            ? await AcquireAnyAsync(token).ConfigureAwait(false)
            : await session.AcquireAsync(token).ConfigureAwait(false);
    }

    internal async IAsyncEnumerable<T> StreamCoreAsync<T>(RapSession? session, string group, string name, RapArgs args, RapCallOptions? options,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        session ??= AmbientSession.Value;
        if (Options.ProtocolVersion == RapVersion.V0538)
        {
            await foreach (var item in LegacyStreamAsync<T>(session, group, name, args, options, cancellationToken).ConfigureAwait(false))
            {
                yield return item;
            }

            yield break;
        }

        var channel = await OpenChannelCoreAsync(session, group, name, s_emptyMap, cancellationToken).ConfigureAwait(false);
        var finished = false;
        try
        {
            // The parameters travel as the first MSG (§2.9).
            channel.SendRaw(args, static (ref MessagePackWriter w, RapArgs a) => a.WriteHeadBody(ref w));
            while (true)
            {
                var body = await channel.TryReadRawAsync(cancellationToken).ConfigureAwait(false);
                if (body is null)
                {
                    finished = true;
                    yield break;
                }

                yield return RapSerializer.Deserialize<T>(body);
            }
        }
        finally
        {
            if (!finished)
            {
                if (Options.DropAbandonedGenerators)
                {
                    channel.Abandon();
                }
                else
                {
                    channel.Forget();
                }
            }
        }
    }

    internal async Task<RapChannel> OpenChannelCoreAsync(RapSession? session, string group, string name, MessagePackValue? metadata, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        session ??= AmbientSession.Value;
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (Options.DefaultCallTimeout != Timeout.InfiniteTimeSpan)
        {
            timeoutSource.CancelAfter(Options.DefaultCallTimeout);
        }

        try
        {
            var (pool, connection) = session is null
                ? await AcquireAnyAsync(timeoutSource.Token).ConfigureAwait(false)
                : await session.AcquireAsync(timeoutSource.Token).ConfigureAwait(false);
            var channel = new RapChannel(connection, pool, group, name, session?.SessionId, Options.ChannelCloseTimeout);
            await channel.OpenAsync(metadata ?? s_emptyMap, timeoutSource.Token).ConfigureAwait(false);
            return channel;
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new RapTimeoutException($"Opening the channel {group}/{name} got no answer within {Options.DefaultCallTimeout}.", ex);
        }
    }

    /// <summary>Reserves a slot on some endpoint: a free one right away if any, else wait on the next healthy endpoint.</summary>
    internal async ValueTask<(RapConnectionPool Pool, RapClientConnection Connection)> AcquireAnyAsync(CancellationToken cancellationToken)
    {
        var start = (int)((uint)Interlocked.Increment(ref _roundRobin) % (uint)_pools.Length);
        for (var i = 0; i < _pools.Length; i++)
        {
            var pool = _pools[(start + i) % _pools.Length];
            if (pool.TryAcquire() is { } ready)
            {
                return (pool, ready);
            }
        }

        var chosen = _pools[start];
        for (var i = 0; i < _pools.Length; i++)
        {
            var pool = _pools[(start + i) % _pools.Length];
            if (pool.HasReadyConnection || pool.LastError is null)
            {
                chosen = pool;
                break;
            }
        }

        return (chosen, await AcquireFromPoolAsync(chosen, cancellationToken).ConfigureAwait(false));
    }

    private static ValueTask<RapClientConnection> AcquireFromPoolAsync(RapConnectionPool pool, CancellationToken cancellationToken) =>
        pool.AcquireAsync(cancellationToken, failFast: false);

    private async IAsyncEnumerable<T> LegacyStreamAsync<T>(RapSession? session, string group, string name, RapArgs args, RapCallOptions? options,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // v0.5.3.8 generators are repeated calls tied by call_id on one connection, inside a session (§3.9).
        var (pool, connection) = session is null
            ? await AcquireAnyAsync(cancellationToken).ConfigureAwait(false)
            : await session.AcquireAsync(cancellationToken).ConfigureAwait(false);
        var sessionId = session?.SessionId ?? Guid.NewGuid().ToString();
        try
        {
            var callId = -1L;
            while (true)
            {
                var step = connection.StartLegacyGeneratorStep<T>(group, name, args, options, sessionId, callId);
                T item;
                using (cancellationToken.UnsafeRegister(static (state, t) => ((RapPendingCall<T>)state!).Abandon(new OperationCanceledException(t)), step))
                {
                    item = await step.Task.ConfigureAwait(false);
                }

                if (step.Ended)
                {
                    yield break;
                }

                callId = step.CallId is 0 or -1 ? -1 : step.CallId;
                yield return item;
            }
        }
        finally
        {
            pool.Release(connection);
        }
    }

    private TimeSpan ResolveTimeout(RapCallOptions? options, out double? deadlineSeconds)
    {
        var timeout = options?.Timeout ?? Options.DefaultCallTimeout;
        deadlineSeconds = null;
        var now = _context.Time.GetUtcNow();
        if (options?.Deadline is { } deadline)
        {
            var remaining = deadline - now;
            if (remaining < TimeSpan.Zero)
            {
                remaining = TimeSpan.Zero;
            }

            if (timeout == Timeout.InfiniteTimeSpan || remaining < timeout)
            {
                timeout = remaining == TimeSpan.Zero ? TimeSpan.FromTicks(1) : remaining;
            }

            deadlineSeconds = deadline.ToUnixTimeMilliseconds() / 1000.0;
        }
        else if (Options.SendDeadlineHeader && timeout != Timeout.InfiniteTimeSpan)
        {
            deadlineSeconds = (now + timeout).ToUnixTimeMilliseconds() / 1000.0;
        }

        return timeout;
    }

    private Exception? LastConnectError()
    {
        foreach (var pool in _pools)
        {
            if (pool.LastError is { } error)
            {
                return error;
            }
        }

        return null;
    }
}
