using System.Text.Json;

namespace Tessera.Core.Jwt;

/// <summary>JSON helpers for claims: validity of strings, and numbers as unix times.</summary>
internal static class JsonText
{
    /// <summary>
    /// False when a property name or string value anywhere in the tree is not valid UTF-16
    /// (an unpaired surrogate escape), i.e. when reading it as a string would throw.
    /// </summary>
    public static bool HasOnlyValidStrings(JsonElement element)
    {
        try
        {
            return Walk(element);
        }
        catch (InvalidOperationException)
        {
            return false;
        }

        static bool Walk(JsonElement e)
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.String:
                    _ = e.GetString();
                    return true;
                case JsonValueKind.Object:
                    foreach (JsonProperty p in e.EnumerateObject())
                    {
                        _ = p.Name;
                        if (!Walk(p.Value))
                        {
                            return false;
                        }
                    }

                    return true;
                case JsonValueKind.Array:
                    foreach (JsonElement item in e.EnumerateArray())
                    {
                        if (!Walk(item))
                        {
                            return false;
                        }
                    }

                    return true;
                default:
                    return true;
            }
        }
    }
}
