using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Catalyst.Data.Mcp;

/// <summary>MCP server registrations and their connection test.</summary>
public static class McpModule
{
    public static IServiceCollection AddMcp(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddScoped<McpServerService>();
        services.AddScoped<McpConnectionTester>();
        return services;
    }
}
