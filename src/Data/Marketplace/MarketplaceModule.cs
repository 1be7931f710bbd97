using Catalyst.Data.Configuration;
using Catalyst.Data.Projects;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Catalyst.Data.Marketplace;

public static class MarketplaceModule
{
    /// <summary>The marketplace's options and services. A host may register its own <see cref="IPaymentProvider"/> first.</summary>
    public static IServiceCollection AddMarketplace(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<MarketplaceOptions, MarketplaceOptionsValidator>(configuration, MarketplaceOptions.Section);
        // Download tokens are Data Protection envelopes. The Portal says where the key ring lives
        // (the database, shared by every instance); this only makes the services resolvable in
        // every host that registers the marketplace.
        services.AddDataProtection();
        services.TryAddSingleton<IPaymentProvider, ManualPaymentProvider>();
        services.AddScoped<MarketplaceCatalog>();
        services.AddScoped<IProjectDependent, MarketplaceProjectLinks>();
        services.AddScoped<PurchaseService>();
        services.AddScoped<ReviewService>();
        services.AddScoped<DownloadService>();
        services.AddScoped<MarketplaceStatistics>();
        return services;
    }
}
