using Microsoft.AspNetCore.Connections;

namespace Catalyst.Portal.Infrastructure;

/// <summary>
/// Where the Portal listens. The usual ASP.NET Core ways choose it (<c>ASPNETCORE_URLS</c>, <c>--urls</c>,
/// <c>ASPNETCORE_HTTP_PORTS</c>/<c>HTTPS_PORTS</c>, <c>Kestrel:Endpoints</c>); without any, a plain
/// <c>dotnet run</c> listens on <see cref="Default"/>. The launch profile names no address, so it
/// never overrides the caller's choice.
/// </summary>
public static class ListenAddresses
{
    public const string Default = "http://localhost:5080";

    /// <summary>Whether the configuration chooses an address (then Kestrel's own rules apply).</summary>
    public static bool AreChosen(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration[WebHostDefaults.ServerUrlsKey])
        || !string.IsNullOrWhiteSpace(configuration[WebHostDefaults.HttpPortsKey])
        || !string.IsNullOrWhiteSpace(configuration[WebHostDefaults.HttpsPortsKey])
        || configuration.GetSection("Kestrel:Endpoints").GetChildren().Any();

    public static void UseDefaultAddressUnlessChosen(this WebApplicationBuilder builder)
    {
        if (!AreChosen(builder.Configuration))
            builder.WebHost.UseUrls(Default);
    }

    /// <summary>Kestrel's failure to bind an address another process holds.</summary>
    public static bool IsAddressInUse(Exception? exception) =>
        exception is AddressInUseException || exception is IOException { InnerException: AddressInUseException };
}
