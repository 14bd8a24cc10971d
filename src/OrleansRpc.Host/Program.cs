using OrleansRpc.Host;

return await OrleansRpcCommandLine.InvokeAsync(args).ConfigureAwait(false);
