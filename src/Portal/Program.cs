using Catalyst.Portal.Infrastructure;
using Microsoft.Extensions.Options;

try
{
    var builder = WebApplication.CreateBuilder(args);
    builder.AddCatalystPortal();
    var app = builder.Build();
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

public partial class Program;
