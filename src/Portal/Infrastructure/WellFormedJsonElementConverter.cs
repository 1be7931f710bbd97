using System.Text.Json;
using System.Text.Json.Serialization;
using Catalyst.Data.Common;

namespace Catalyst.Portal.Infrastructure;

/// <summary>
/// Reads the free-form JSON parts of request bodies (metadata, item data, preferences, settings)
/// through <see cref="WellFormedJson"/>: a JsonElement otherwise keeps invalid UTF-8, unpaired
/// surrogates and duplicate names unnoticed until something writes it out, far from the request;
/// and one nested deeper than a stored value may be (<see cref="JsonLimits.MaxDepth"/>) is refused here too.
/// </summary>
public sealed class WellFormedJsonElementConverter : JsonConverter<JsonElement>
{
    public override JsonElement Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        WellFormedJson.Check(document.RootElement);
        JsonLimits.CheckValueDepth(document.RootElement);
        return document.RootElement.Clone();
    }

    public override void Write(Utf8JsonWriter writer, JsonElement value, JsonSerializerOptions options) => value.WriteTo(writer);
}
