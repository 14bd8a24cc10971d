namespace OrleansRpc.Grains.Messaging;

/// <summary>One reply of an enumeration step: the items that were ready, and whether the producer finished.</summary>
internal readonly record struct EnumerationBatch<TItem>(List<TItem> Items, bool Completed);
