using Catalyst.Data.Search;
using Catalyst.Data.Configuration;
using Catalyst.Data.Projects;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Catalyst.Data.Chat;

/// <summary>Chat sessions and messages.</summary>
public static class ChatModule
{
    public static IServiceCollection AddChat(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<ChatOptions, ChatOptionsValidator>(configuration, ChatOptions.Section);
        services.AddScoped<ChatService>();
        services.AddScoped<IProjectDependent, ChatProjectLinks>();
        services.AddScoped<ISearchSource, ChatSearchSource>();
        return services;
    }
}
