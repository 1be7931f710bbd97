using Catalyst.Data.Configuration;
using Catalyst.Data.Jobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Catalyst.Data.Secrets;

/// <summary>The secret vault: the master key, the data-key ring, and key rotation.</summary>
public static class SecretsModule
{
    public static IServiceCollection AddSecrets(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<SecretsOptions, SecretsOptionsValidator>(configuration, SecretsOptions.Section);
        services.AddSingleton(sp => MasterKey.Load(sp.GetRequiredService<IOptions<SecretsOptions>>(), sp.GetRequiredService<CatalystPaths>(),
            sp.GetRequiredService<ILogger<MasterKey>>()));
        services.AddSingleton<SecretKeyRing>();
        services.AddScoped<SecretVault>();
        services.AddScoped<SecretKeyRotation>();
        services.AddJob<SecretKeyRotationJob>(SecretKeyRotationJob.Kind, SecretKeyRotationJob.DisplayName);
        return services;
    }
}
