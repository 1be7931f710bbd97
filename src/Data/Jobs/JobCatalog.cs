using System.Collections.Frozen;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Catalyst.Data.Jobs;

/// <summary>A kind of job a feature registered: the name stored in JobRun.Kind, what the portal calls it, and the class that runs it.</summary>
public sealed record JobKind(string Name, string DisplayName, Type JobType);

/// <summary>
/// Every job kind the features registered (<see cref="JobRegistration.AddJob{TJob}"/>), so that the
/// platform can check and name a kind without knowing the features that own it.
/// </summary>
public sealed class JobCatalog(IEnumerable<JobKind> kinds)
{
    private readonly FrozenDictionary<string, JobKind> _kinds = kinds.ToFrozenDictionary(k => k.Name, StringComparer.Ordinal);

    public IEnumerable<JobKind> All => _kinds.Values.OrderBy(k => k.DisplayName, StringComparer.Ordinal);

    public bool Contains(string kind) => _kinds.ContainsKey(kind);

    /// <summary>The kind's display name; a run of a kind no longer registered shows its stored name.</summary>
    public string DisplayName(string kind) => _kinds.TryGetValue(kind, out var k) ? k.DisplayName : kind;
}

public static class JobRegistration
{
    /// <summary>Registers a feature's job class under its kind (the runner resolves it by that key).</summary>
    public static IServiceCollection AddJob<TJob>(this IServiceCollection services, string kind, string displayName)
        where TJob : class, IJob
    {
        services.AddKeyedScoped<IJob, TJob>(kind);
        services.AddSingleton(new JobKind(kind, displayName, typeof(TJob)));
        services.TryAddSingleton<JobCatalog>();
        return services;
    }
}
