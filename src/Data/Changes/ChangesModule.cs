using Microsoft.Extensions.DependencyInjection;

namespace Catalyst.Data.Changes;

/// <summary>The unit of work for synced, searched and cached writes (<see cref="ChangeSet"/>) and the change feed it appends to.</summary>
public static class ChangesModule
{
    public static IServiceCollection AddChanges(this IServiceCollection services) =>
        services.AddScoped<ChangeSet>();
}
