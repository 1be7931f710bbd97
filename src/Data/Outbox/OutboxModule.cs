using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Catalyst.Data.Outbox;

/// <summary>The transactional outbox: dispatch of due operations to the handlers features register by kind.</summary>
public static class OutboxModule
{
    public static IServiceCollection AddOutbox(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddScoped<OutboxDispatcher>();
        services.AddScoped<OutboxSweeper>();
        return services;
    }
}
