using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tessera.AspNetCore.Http;

/// <summary>
/// The JSON settings of Tessera's responses, kept apart from the host application's own:
/// snake_case like DRF, non-ASCII written as is (DRF's <c>ensure_ascii=False</c>).
/// </summary>
internal static class TesseraJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };
}
