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
        services.AddSingleton<IValidateOptions<ChatOptions>, ChatOptionsValidator>();
        services.AddOptions<ChatOptions>().Bind(configuration.GetSection(ChatOptions.Section)).ValidateOnStart();
        services.AddScoped<ChatService>();
        services.AddScoped<IProjectDependent, ChatProjectLinks>();
        return services;
    }
}
