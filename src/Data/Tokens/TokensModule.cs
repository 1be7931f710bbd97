using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Catalyst.Data.Tokens;

/// <summary>Personal API tokens.</summary>
public static class TokensModule
{
    public static IServiceCollection AddTokens(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddScoped<ApiTokenService>();
        return services;
    }
}
