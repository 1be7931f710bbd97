using Catalyst.Data.Assets;
using Catalyst.Data.Audit;
using Catalyst.Data.Chat;
using Catalyst.Data.Common;
using Catalyst.Data.Identity;
using Catalyst.Data.Jobs;
using Catalyst.Data.Projects;
using Catalyst.Data.Search;
using Catalyst.Data.Changes;
using Catalyst.Data.Tokens;
using Catalyst.Data.Uploads;
using Catalyst.Data.Websites;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Catalyst.Data;

/// <summary>
/// The one DbContext of Catalyst, Identity included. Each database provider has a thin subclass
/// (<see cref="SqliteCatalystDbContext"/>, <see cref="SqlServerCatalystDbContext"/>) that owns that
/// provider's migrations; everything else talks to this type.
/// </summary>
public abstract class CatalystDbContext(DbContextOptions options)
    : IdentityDbContext<CatalystUser, CatalystRole, Guid>(options), IDataProtectionKeyContext
{
    /// <summary>The ASP.NET Core Data Protection key ring, shared by every Portal instance.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();
    public DbSet<Project> Projects => Set<Project>();
    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();
    public DbSet<JobRun> JobRuns => Set<JobRun>();
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();
    public DbSet<Asset> Assets => Set<Asset>();
    public DbSet<Upload> Uploads => Set<Upload>();
    public DbSet<ChatSession> ChatSessions => Set<ChatSession>();
    public DbSet<ChatMessage> ChatMessages => Set<ChatMessage>();
    public DbSet<SyncChange> SyncChanges => Set<SyncChange>();
    public DbSet<SyncCounter> SyncCounters => Set<SyncCounter>();
    public DbSet<SearchDocument> SearchDocuments => Set<SearchDocument>();
    public DbSet<SearchPosting> SearchPostings => Set<SearchPosting>();
    public DbSet<SearchTerm> SearchTerms => Set<SearchTerm>();
    public DbSet<Website> Websites => Set<Website>();

    /// <summary>Clock used for createdAt/updatedAt; tests may replace it.</summary>
    public TimeProvider Time { get; set; } = TimeProvider.System;

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(CatalystDbContext).Assembly);
        foreach (var entity in builder.Model.GetEntityTypes())
        {
            if (typeof(IVersioned).IsAssignableFrom(entity.ClrType))
                builder.Entity(entity.ClrType).Property(nameof(IVersioned.Version)).IsConcurrencyToken();
        }
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite hands DateTimes back as Unspecified; every timestamp in Catalyst is UTC.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<DateTime?>().HaveConversion<NullableUtcDateTimeConverter>();
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        StampChanges();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        StampChanges();
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    private void StampChanges()
    {
        var now = Clock.UtcNow(Time);
        var newUsers = new List<CatalystUser>();
        foreach (var entry in ChangeTracker.Entries())
        {
            // The audit log is append-only (SPEC §3): no unit of work may change or remove an entry.
            if (entry.Entity is AuditEntry && entry.State is EntityState.Modified or EntityState.Deleted)
                throw new InvalidOperationException("The audit log is append-only: entries cannot be changed or deleted.");
            if (entry.State == EntityState.Added)
            {
                if (entry.Entity is CatalystUser user)
                    newUsers.Add(user);
                if (entry.Entity is ITimestamped added)
                {
                    if (added.CreatedAt == default) added.CreatedAt = now;
                    added.UpdatedAt = added.CreatedAt;
                }
                if (entry.Entity is IVersioned { Version: 0 } fresh)
                    fresh.Version = 1;
            }
            else if (entry.State == EntityState.Modified)
            {
                if (entry.Entity is ITimestamped modified)
                    modified.UpdatedAt = now;
                if (entry.Entity is IVersioned)
                {
                    var version = entry.Property(nameof(IVersioned.Version));
                    version.CurrentValue = (long)version.OriginalValue! + 1;
                }
            }
        }
        // Every account has its quota row from the start, so a charge is always one conditional UPDATE.
        foreach (var user in newUsers)
            Set<Storage.StorageUsage>().Add(new Storage.StorageUsage { UserId = user.Id, UpdatedAt = now });
    }

    private sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
        v => v.Kind == DateTimeKind.Utc ? v : v.ToUniversalTime(),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));

    private sealed class NullableUtcDateTimeConverter() : ValueConverter<DateTime?, DateTime?>(
        v => v.HasValue ? (v.Value.Kind == DateTimeKind.Utc ? v.Value : v.Value.ToUniversalTime()) : v,
        v => v.HasValue ? DateTime.SpecifyKind(v.Value, DateTimeKind.Utc) : v);
}

/// <summary>The embedded default: SQLite. Owns <c>Migrations/Sqlite</c>.</summary>
public sealed class SqliteCatalystDbContext(DbContextOptions<SqliteCatalystDbContext> options) : CatalystDbContext(options);

/// <summary>Production: SQL Server. Owns <c>Migrations/SqlServer</c>.</summary>
public sealed class SqlServerCatalystDbContext(DbContextOptions<SqlServerCatalystDbContext> options) : CatalystDbContext(options);
