using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace OrleansRpc.Hosting;

/// <summary>
/// Checks the Orleans settings <c>AddOrleansRpc</c> binds (<c>OrleansRpc:Grains:*</c>) when the host starts, with
/// messages naming the key: Orleans validates them too, but later (when the silo starts) and in its own words.
/// The rules are Orleans' own (its <c>GrainCollectionOptionsValidator</c> and option documentation).
/// </summary>
internal sealed class OrleansSiloOptionsValidator :
    IValidateOptions<GrainCollectionOptions>,
    IValidateOptions<SiloMessagingOptions>,
    IValidateOptions<StatelessWorkerOptions>
{
    public ValidateOptionsResult Validate(string? name, GrainCollectionOptions options)
    {
        var failures = new List<string>();
        string section = OrleansRpcSections.GrainsCollection;
        if (options.CollectionQuantum <= TimeSpan.Zero)
        {
            failures.Add($"{section}:CollectionQuantum must be positive (was {options.CollectionQuantum})");
        }

        if (options.CollectionAge <= TimeSpan.Zero)
        {
            failures.Add($"{section}:CollectionAge must be positive (was {options.CollectionAge})");
        }
        else if (options.CollectionAge <= options.CollectionQuantum)
        {
            failures.Add($"{section}:CollectionAge must be longer than {section}:CollectionQuantum ({options.CollectionAge} <= {options.CollectionQuantum})");
        }

        if (options.ActivationTimeout <= TimeSpan.Zero)
        {
            failures.Add($"{section}:ActivationTimeout must be positive (was {options.ActivationTimeout})");
        }

        if (options.DeactivationTimeout <= TimeSpan.Zero)
        {
            failures.Add($"{section}:DeactivationTimeout must be positive (was {options.DeactivationTimeout})");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    public ValidateOptionsResult Validate(string? name, SiloMessagingOptions options)
    {
        var failures = new List<string>();
        string section = OrleansRpcSections.GrainsMessaging;
        if (options.ResponseTimeout <= TimeSpan.Zero)
        {
            failures.Add($"{section}:ResponseTimeout must be positive (was {options.ResponseTimeout})");
        }

        if (options.MaxEnqueuedRequestsHardLimit < 0)
        {
            failures.Add($"{section}:MaxEnqueuedRequestsHardLimit must be 0 (no limit) or more (was {options.MaxEnqueuedRequestsHardLimit})");
        }

        if (options.MaxEnqueuedRequestsHardLimit_StatelessWorker < 0)
        {
            failures.Add($"{section}:MaxEnqueuedRequestsHardLimit_StatelessWorker must be 0 (no limit) or more (was {options.MaxEnqueuedRequestsHardLimit_StatelessWorker})");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    public ValidateOptionsResult Validate(string? name, StatelessWorkerOptions options)
    {
        var failures = new List<string>();
        string section = OrleansRpcSections.GrainsStatelessWorker;
        if (options.IdleWorkersInspectionPeriod <= TimeSpan.Zero)
        {
            failures.Add($"{section}:IdleWorkersInspectionPeriod must be positive (was {options.IdleWorkersInspectionPeriod})");
        }

        if (options.MinIdleCyclesBeforeRemoval < 1)
        {
            failures.Add($"{section}:MinIdleCyclesBeforeRemoval must be at least 1 (was {options.MinIdleCyclesBeforeRemoval})");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
