using Catalyst.Data.Search;
using Catalyst.Data.Jobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Catalyst.Data.Projects;

/// <summary>Projects and their statistics job.</summary>
public static class ProjectsModule
{
    public static IServiceCollection AddProjects(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddScoped<ProjectService>();
        services.AddJob<RecomputeProjectStatisticsJob>(RecomputeProjectStatisticsJob.Kind, RecomputeProjectStatisticsJob.DisplayName);
        services.AddScoped<ISearchSource, ProjectSearchSource>();
        return services;
    }
}
