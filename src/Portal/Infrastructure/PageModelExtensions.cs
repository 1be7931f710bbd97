using Catalyst.Data.Common;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace Catalyst.Portal.Infrastructure;

public static class ModelStateExtensions
{
    /// <summary>Puts a service's per-field errors next to the form fields (<c>Input.Name</c> for <c>name</c>).</summary>
    public static void AddDomainErrors(this ModelStateDictionary modelState, ValidationFailedException exception, string prefix = "Input")
    {
        foreach (var (field, messages) in exception.Errors)
        {
            var key = string.IsNullOrEmpty(field) ? "" : $"{prefix}.{char.ToUpperInvariant(field[0])}{field[1..]}";
            foreach (var message in messages)
                modelState.AddModelError(key, message);
        }
    }
}
