using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Catalyst.Portal.Infrastructure;

/// <summary>Declares the bearer-token scheme in the OpenAPI document so the API reference can send tokens.</summary>
public sealed class BearerSecurityTransformer : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info.Title = "Catalyst API";
        document.Info.Description = "Bearer tokens (cat_...) are created in the portal under Account → API tokens or with POST /api/auth/token.";
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes["Bearer"] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "An API token: Authorization: Bearer cat_...",
        };
        document.Security ??= [];
        document.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("Bearer", document)] = [] });
        return Task.CompletedTask;
    }
}
