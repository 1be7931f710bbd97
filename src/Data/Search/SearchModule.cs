using Catalyst.Data.Configuration;
using Catalyst.Data.Jobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Catalyst.Data.Search;

/// <summary>Full-text search over chat messages: the index, queries, and the rebuild and verify jobs.</summary>
public static class SearchModule
{
    public static IServiceCollection AddSearch(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<SearchOptions, SearchOptionsValidator>(configuration, SearchOptions.Section);
        services.AddScoped<SearchIndexer>();
        services.AddScoped<SearchService>();
        services.AddScoped<SearchMaintenance>();
        services.AddJob<SearchRebuildJob>(SearchRebuildJob.Kind, SearchRebuildJob.DisplayName);
        services.AddJob<SearchVerificationJob>(SearchVerificationJob.Kind, SearchVerificationJob.DisplayName);
        return services;
    }
}
