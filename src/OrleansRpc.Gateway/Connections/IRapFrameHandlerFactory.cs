namespace OrleansRpc.Gateway.Connections;

/// <summary>Creates the <see cref="IRapFrameHandler"/> of each accepted connection.</summary>
internal interface IRapFrameHandlerFactory
{
    IRapFrameHandler Create(RapConnection connection);
}
