using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Catalyst.Data.Configuration;

// Used by `dotnet ef migrations add ... --context <Provider>CatalystDbContext` only; at run time
// the provider comes from configuration (DataServiceCollectionExtensions).
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteCatalystDbContext>
{
    public SqliteCatalystDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteCatalystDbContext>().UseSqlite("Data Source=design-time.db").Options);
}

internal sealed class SqlServerDesignTimeFactory : IDesignTimeDbContextFactory<SqlServerCatalystDbContext>
{
    public SqlServerCatalystDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqlServerCatalystDbContext>().UseSqlServer("Server=(design-time);Database=Catalyst;Trusted_Connection=True;TrustServerCertificate=True").Options);
}
