using Microsoft.Extensions.Logging;
using OrleansRpc.Grains.Catalog;
using OrleansRpc.Grains.Runtime;

namespace OrleansRpc.Grains.Diagnostics;

internal static partial class GrainsLog
{
    [LoggerMessage(1, LogLevel.Information, "Grain runtime started: {GrainClassCount} grain classes, {FilterCount} silo-wide call filters.", EventName = "SiloStarted")]
    public static partial void SiloStarted(ILogger logger, int grainClassCount, int filterCount);

    [LoggerMessage(2, LogLevel.Warning, "Activation of {GrainId} failed.", EventName = "ActivationFailed")]
    public static partial void ActivationFailed(ILogger logger, GrainId grainId, Exception exception);

    [LoggerMessage(3, LogLevel.Warning, "OnDeactivateAsync of {GrainId} failed.", EventName = "DeactivationFailed")]
    public static partial void DeactivationFailed(ILogger logger, GrainId grainId, Exception exception);

    [LoggerMessage(4, LogLevel.Warning, "Deactivating {GrainId}: {RunningCount} requests still running after the deactivation timeout.", EventName = "DeactivationDrainTimedOut")]
    public static partial void DeactivationDrainTimedOut(ILogger logger, GrainId grainId, int runningCount);

    [LoggerMessage(5, LogLevel.Warning, "Overload - {Count} enqueued requests for activation {Activation}, exceeding hard limit rejection threshold of {HardLimit}.", EventName = "ActivationOverloaded")]
    public static partial void ActivationOverloaded(ILogger logger, ActivationData activation, int count, int hardLimit);

    [LoggerMessage(6, LogLevel.Error, "A work item of {GrainId} threw.", EventName = "UnhandledWorkItemException")]
    public static partial void UnhandledWorkItemException(ILogger logger, GrainId grainId, Exception exception);

    [LoggerMessage(7, LogLevel.Warning, "A cancellation callback of a call to {GrainId} threw.", EventName = "CancellationCallbackFailed")]
    public static partial void CancellationCallbackFailed(ILogger logger, GrainId grainId, Exception exception);

    [LoggerMessage(8, LogLevel.Information, "Deactivating {Count} activations for shutdown.", EventName = "DeactivatingAll")]
    public static partial void DeactivatingAll(ILogger logger, int count);

    [LoggerMessage(9, LogLevel.Warning, "Shutdown timed out with {Count} activations not yet deactivated.", EventName = "ShutdownTimedOut")]
    public static partial void ShutdownTimedOut(ILogger logger, int count);

    [LoggerMessage(10, LogLevel.Debug, "{Action} silo life-cycle stage {Stage}.", EventName = "LifecycleStage")]
    public static partial void LifecycleStage(ILogger logger, string action, int stage);

    [LoggerMessage(11, LogLevel.Error, "Stopping silo life-cycle stage {Stage} failed.", EventName = "LifecycleStopFailed")]
    public static partial void LifecycleStopFailed(ILogger logger, int stage, Exception exception);

    [LoggerMessage(12, LogLevel.Warning, "A stream observer of {StreamId} threw.", EventName = "StreamObserverFailed")]
    public static partial void StreamObserverFailed(ILogger logger, StreamId streamId, Exception exception);
}
