using Microsoft.Extensions.Options;

namespace OrleansRpc.Middleware.Crypto;

/// <summary>Start-up validation of <see cref="RapCryptoOptions"/>; messages name the configuration key.</summary>
internal sealed class RapCryptoOptionsValidator : IValidateOptions<RapCryptoOptions>
{
    private const string Prefix = RapMiddlewareSections.Crypto + ":";

    public ValidateOptionsResult Validate(string? name, RapCryptoOptions options)
    {
        var failures = new List<string>();
        foreach (var (id, secret) in options.Keys)
        {
            if (string.IsNullOrEmpty(id) || !RapCryptoOptions.IsValidSecret(secret))
            {
                failures.Add($"{Prefix}Keys:{id} must be exactly 16 characters (the AES-128 key and IV)");
            }
        }

        if (options.Timeout <= TimeSpan.Zero)
        {
            failures.Add($"{Prefix}Timeout must be positive");
        }

        if (options.NonceTimeout <= TimeSpan.Zero)
        {
            failures.Add($"{Prefix}NonceTimeout must be positive");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
