using Catalyst.Portal.Infrastructure;
using Microsoft.Extensions.Options;

try
{
    var builder = WebApplication.CreateBuilder(args);
    builder.AddCatalystPortal();
    var app = builder.Build();
    // Before any hosted service starts: Data Protection reads its keys from the database.
    await app.PrepareDatabaseAsync();
    app.UseCatalystPortal();
    await app.RunAsync();
    return 0;
}
catch (OptionsValidationException ex)
{
    // A bad setting stops the process with one clear message naming the key (SPEC §2).
    await Console.Error.WriteLineAsync("Configuration error: " + string.Join(" ", ex.Failures));
    return 1;
}
catch (SchemaOutOfDateException ex)
{
    await Console.Error.WriteLineAsync(ex.Message);
    return 1;
}
catch (IOException ex) when (ListenAddresses.IsAddressInUse(ex))
{
    // Another process holds the port: one line saying which, not a stack trace.
    await Console.Error.WriteLineAsync($"Cannot listen: {ex.Message} Choose another address with ASPNETCORE_URLS or --urls.");
    return 1;
}

public partial class Program;
