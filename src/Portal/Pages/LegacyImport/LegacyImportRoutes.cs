using Microsoft.AspNetCore.Mvc.ApplicationModels;

namespace Catalyst.Portal.Pages.LegacyImport;

/// <summary>
/// Where the legacy import pages answer: <c>/legacy-import</c> (the links the portal writes) and,
/// for bookmarks and scripts made while the feature was called "Migrations", the old
/// <c>/Migrations</c> URLs, which keep serving the same pages.
/// </summary>
public static class LegacyImportRoutes
{
    public static PageConventionCollection AddLegacyImportRoutes(this PageConventionCollection conventions)
    {
        // The old URLs first: the route added last to a page is the one its links use.
        conventions.AddPageRoute("/LegacyImport/Index", "Migrations");
        conventions.AddPageRoute("/LegacyImport/Index", "Migrations/Index");
        conventions.AddPageRoute("/LegacyImport/Details", "Migrations/Details/{id:guid}");
        conventions.AddPageRoute("/LegacyImport/Index", "legacy-import");
        conventions.AddPageRoute("/LegacyImport/Details", "legacy-import/{id:guid}");
        return conventions;
    }
}
