using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.FeatureManagement;
using Microsoft.FeatureManagement.FeatureFilters;

namespace Catalyst.Data.Features;

/// <summary>
/// Microsoft.FeatureManagement's definitions, read from the FeatureFlags table. The whole table is
/// small; it is read at most every few seconds (a change made on this instance is seen at once, one
/// made on another instance within <see cref="RefreshInterval"/>).
/// <list type="bullet">
/// <item>off: disabled;</item>
/// <item>on: the built-in AlwaysOn filter;</item>
/// <item>percentage: the targeting filter with a default rollout — FeatureManagement hashes the targeting id (the e-mail) with
/// the flag name, so a user's answer is sticky and independent between flags;</item>
/// <item>targeted: the targeting filter with the named users and, at 100%, the named roles.</item>
/// </list>
/// </summary>
public sealed class DatabaseFeatureDefinitionProvider(IServiceScopeFactory scopes, TimeProvider time) : IFeatureDefinitionProvider, IDisposable
{
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(5);
    private const string TargetingFilter = "Microsoft.Targeting";
    private const string AlwaysOn = "AlwaysOn";

    private sealed record Snapshot(IReadOnlyDictionary<string, FeatureDefinition> Definitions, DateTimeOffset LoadedAt);

    private volatile Snapshot? _snapshot;
    private readonly SemaphoreSlim _loading = new(1, 1);

    public void Dispose() => _loading.Dispose();

    /// <summary>Forgets the loaded definitions (after a change on this instance).</summary>
    public void Invalidate() => _snapshot = null;

    public async Task<FeatureDefinition> GetFeatureDefinitionAsync(string featureName) =>
        (await DefinitionsAsync(CancellationToken.None)).TryGetValue(featureName, out var definition) ? definition : null!;

    public async IAsyncEnumerable<FeatureDefinition> GetAllFeatureDefinitionsAsync()
    {
        foreach (var definition in (await DefinitionsAsync(CancellationToken.None)).Values)
            yield return definition;
    }

    /// <summary>Every defined flag by name (ordinal, case-sensitive as stored).</summary>
    public async Task<IReadOnlyDictionary<string, FeatureDefinition>> DefinitionsAsync(CancellationToken ct)
    {
        var current = _snapshot;
        if (current is not null && time.GetUtcNow() - current.LoadedAt < RefreshInterval)
            return current.Definitions;
        await _loading.WaitAsync(ct);
        try
        {
            current = _snapshot;
            if (current is not null && time.GetUtcNow() - current.LoadedAt < RefreshInterval)
                return current.Definitions;
            await using var scope = scopes.CreateAsyncScope();
            var flags = await scope.ServiceProvider.GetRequiredService<CatalystDbContext>().Set<FeatureFlag>().AsNoTracking().ToListAsync(ct);
            var definitions = flags.OrderBy(f => f.Name, StringComparer.Ordinal).ToDictionary(f => f.Name, Define, StringComparer.Ordinal);
            _snapshot = new Snapshot(definitions, time.GetUtcNow());
            return definitions;
        }
        finally
        {
            _loading.Release();
        }
    }

    public static FeatureDefinition Define(FeatureFlag flag) => flag.State switch
    {
        FeatureFlagState.On => new FeatureDefinition { Name = flag.Name, EnabledFor = [new FeatureFilterConfiguration { Name = AlwaysOn }] },
        FeatureFlagState.Percentage => Targeting(flag.Name, new Audience { DefaultRolloutPercentage = flag.Percentage, Users = [], Groups = [] }),
        FeatureFlagState.Targeted => Targeting(flag.Name, new Audience
        {
            DefaultRolloutPercentage = 0,
            Users = [.. flag.Users],
            Groups = flag.Roles.Select(r => new GroupRollout { Name = r, RolloutPercentage = 100 }).ToList(),
        }),
        _ => new FeatureDefinition { Name = flag.Name, Status = FeatureStatus.Disabled },
    };

    private static FeatureDefinition Targeting(string name, Audience audience) => new()
    {
        Name = name,
        EnabledFor = [new FeatureFilterConfiguration { Name = TargetingFilter, ParametersObject = new TargetingFilterSettings { Audience = audience } }],
    };
}
