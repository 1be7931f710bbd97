using Microsoft.Extensions.Options;

namespace Catalyst.Data.Configuration;

public static class DatabaseProviders
{
    public const string Sqlite = "Sqlite";
    public const string SqlServer = "SqlServer";
}

/// <summary>Section <c>Database</c>; the connection string is <c>ConnectionStrings:Catalyst</c>.</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";
    public string Provider { get; set; } = DatabaseProviders.Sqlite;
    /// <summary>Filled from <c>ConnectionStrings:Catalyst</c>; for SQLite it defaults to a file in the data directory.</summary>
    public string? ConnectionString { get; set; }

    public bool IsSqlite => string.Equals(Provider, DatabaseProviders.Sqlite, StringComparison.OrdinalIgnoreCase);
    public bool IsSqlServer => string.Equals(Provider, DatabaseProviders.SqlServer, StringComparison.OrdinalIgnoreCase);
}

public sealed class DatabaseOptionsValidator : IValidateOptions<DatabaseOptions>
{
    public ValidateOptionsResult Validate(string? name, DatabaseOptions options)
    {
        if (!options.IsSqlite && !options.IsSqlServer)
            return ValidateOptionsResult.Fail(
                $"Database:Provider must be '{DatabaseProviders.Sqlite}' or '{DatabaseProviders.SqlServer}' (was '{options.Provider}').");
        if (options.IsSqlServer && string.IsNullOrWhiteSpace(options.ConnectionString))
            return ValidateOptionsResult.Fail(
                "ConnectionStrings:Catalyst is required when Database:Provider is 'SqlServer'.");
        return ValidateOptionsResult.Success;
    }
}
