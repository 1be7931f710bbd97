using Catalyst.Data.Common;

namespace Catalyst.Portal.Infrastructure;

/// <summary>
/// The request's body is not in a media type the endpoint reads. A refusal of the HTTP edge, not
/// of a service (services take typed requests), so it lives here; <see cref="ApiExceptionHandler.Map"/>
/// answers it like every domain error.
/// </summary>
public sealed class UnsupportedMediaTypeException(string message) : DomainException("unsupported_media_type", message);
