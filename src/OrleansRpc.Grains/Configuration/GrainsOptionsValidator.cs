using Microsoft.Extensions.Options;

namespace OrleansRpc.Grains.Configuration;

/// <summary>Checks the runtime's options when the host starts.</summary>
internal sealed class GrainsOptionsValidator :
    IValidateOptions<GrainCollectionOptions>,
    IValidateOptions<SiloMessagingOptions>,
    IValidateOptions<StatelessWorkerOptions>,
    IValidateOptions<MemoryStreamOptions>
{
    public ValidateOptionsResult Validate(string? name, GrainCollectionOptions options)
    {
        var errors = new List<string>();
        Positive(errors, nameof(options.CollectionQuantum), options.CollectionQuantum);
        Positive(errors, nameof(options.CollectionAge), options.CollectionAge);
        Positive(errors, nameof(options.ActivationTimeout), options.ActivationTimeout);
        Positive(errors, nameof(options.DeactivationTimeout), options.DeactivationTimeout);
        if (options.CollectionAge > TimeSpan.Zero && options.CollectionAge < options.CollectionQuantum)
        {
            errors.Add($"GrainCollectionOptions.CollectionAge ({options.CollectionAge}) must not be shorter than CollectionQuantum ({options.CollectionQuantum}).");
        }

        return Result(errors);
    }

    public ValidateOptionsResult Validate(string? name, SiloMessagingOptions options)
    {
        var errors = new List<string>();
        Positive(errors, nameof(options.ResponseTimeout), options.ResponseTimeout);
        Positive(errors, nameof(options.ResponseTimeoutCheckPeriod), options.ResponseTimeoutCheckPeriod);
        if (options.MaxEnqueuedRequestsHardLimit < 0)
        {
            errors.Add("SiloMessagingOptions.MaxEnqueuedRequestsHardLimit must be 0 (unlimited) or positive.");
        }

        return Result(errors);
    }

    public ValidateOptionsResult Validate(string? name, StatelessWorkerOptions options)
    {
        var errors = new List<string>();
        Positive(errors, nameof(options.IdleWorkersInspectionPeriod), options.IdleWorkersInspectionPeriod);
        if (options.MinIdleCyclesBeforeRemoval < 1)
        {
            errors.Add("StatelessWorkerOptions.MinIdleCyclesBeforeRemoval must be at least 1.");
        }

        return Result(errors);
    }

    public ValidateOptionsResult Validate(string? name, MemoryStreamOptions options) =>
        options.BufferCapacity < 1
            ? ValidateOptionsResult.Fail($"MemoryStreamOptions[{name}].BufferCapacity must be at least 1.")
            : ValidateOptionsResult.Success;

    private static void Positive(List<string> errors, string name, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            errors.Add($"{name} must be positive (was {value}).");
        }
    }

    private static ValidateOptionsResult Result(List<string> errors) =>
        errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
}
