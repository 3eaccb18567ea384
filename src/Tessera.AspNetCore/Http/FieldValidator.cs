using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Tessera.Core.Users;

namespace Tessera.AspNetCore.Http;

/// <summary>
/// Reads typed fields out of a request body with DRF's serializer-field rules and messages, and
/// collects every field's errors into DRF's <c>{"field": ["message", ...]}</c> shape.
/// </summary>
/// <param name="fields">The body, normally a JSON object.</param>
/// <param name="partial">A PATCH: absent fields are not required.</param>
public sealed partial class FieldValidator(JsonElement fields, bool partial = false)
{
    private readonly Dictionary<string, List<string>> _errors = CheckIsObject(fields);

    public bool IsValid => _errors.Count == 0;

    /// <summary>DRF's CharField: strings and numbers, trimmed unless told otherwise; null when absent or invalid.</summary>
    public string? Text(string name, int? maxLength = null, bool required = true, bool allowBlank = false, bool trim = true)
    {
        if (!TryGet(name, required, out var value))
            return null;
        string? text = value.ValueKind switch
        {
            JsonValueKind.String => TryGetString(name, value),
            JsonValueKind.Number => value.GetRawText(),
            JsonValueKind.Null => Error(name, "This field may not be null."),
            _ => Error(name, "Not a valid string."),
        };
        if (text is null)
            return null;
        if (trim)
            text = text.Trim();
        if (text.Length == 0 && !allowBlank)
            return Error(name, "This field may not be blank.");
        if (text.Contains('\0'))
            return Error(name, "Null characters are not allowed.");
        if (maxLength is { } max && text.EnumerateRunes().Count() > max)
            return Error(name, $"Ensure this field has no more than {max} characters.");
        return text;
    }

    /// <summary>
    /// A username: DRF's CharField, then NFKC (<see cref="UserNormalization.Username"/>), its length
    /// measured after normalizing, as Django validates the normalized name.
    /// </summary>
    public string? Username(string name, int maxLength)
    {
        var text = Text(name);
        if (text is null)
            return null;
        text = UserNormalization.Username(text);
        if (text.EnumerateRunes().Count() > maxLength)
            return Error(name, $"Ensure this field has no more than {maxLength} characters.");
        return text;
    }

    /// <summary>A password: never trimmed (spaces are part of it), never blank.</summary>
    public string? Password(string name, bool required = true)
        => Text(name, maxLength: 4096, required: required, trim: false);

    /// <summary>DRF's EmailField (optional and blank allowed unless required).</summary>
    public string? Email(string name, bool required = false)
    {
        var text = Text(name, maxLength: 254, required: required, allowBlank: !required);
        if (string.IsNullOrEmpty(text))
            return text;
        if (!EmailPattern().IsMatch(text))
            return Error(name, "Enter a valid email address.");
        return UserNormalization.Email(text);
    }

    /// <summary>DRF's IntegerField within bounds (optional unless required).</summary>
    public long? Integer(string name, long min, long max, bool required = false)
    {
        if (!TryGet(name, required, out var value))
            return null;
        long number;
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out number)) { }
        else if (value.ValueKind == JsonValueKind.String && long.TryParse(TryGetString(name, value), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out number)) { }
        else if (value.ValueKind == JsonValueKind.Null) { Error(name, "This field may not be null."); return null; }
        else { if (IsValid || !_errors.ContainsKey(name)) Error(name, "A valid integer is required."); return null; }
        if (number < min)
            return Error<long?>(name, $"Ensure this value is greater than or equal to {min}.");
        if (number > max)
            return Error<long?>(name, $"Ensure this value is less than or equal to {max}.");
        return number;
    }

    /// <summary>DRF's BooleanField, with its accepted spellings.</summary>
    public bool? Boolean(string name, bool required = false)
    {
        if (!TryGet(name, required, out var value))
            return null;
        switch (value.ValueKind)
        {
            case JsonValueKind.True: return true;
            case JsonValueKind.False: return false;
            case JsonValueKind.Null: Error(name, "This field may not be null."); return null;
            case JsonValueKind.Number when value.GetRawText() is "1": return true;
            case JsonValueKind.Number when value.GetRawText() is "0": return false;
            case JsonValueKind.String:
                var s = TryGetString(name, value);
                if (s is null) return null;
                if (TrueSpellings.Contains(s)) return true;
                if (FalseSpellings.Contains(s)) return false;
                break;
        }
        Error(name, "Must be a valid boolean.");
        return null;
    }

    public void AddError(string name, string message)
    {
        if (!_errors.TryGetValue(name, out var list))
            _errors[name] = list = [];
        list.Add(message);
    }

    /// <summary>400 with every collected error.</summary>
    public IResult ToResult() => ApiResults.Json(_errors, StatusCodes.Status400BadRequest);

    private bool TryGet(string name, bool required, out JsonElement value)
    {
        value = default;
        if (fields.ValueKind != JsonValueKind.Object)
            return false;
        if (fields.TryGetProperty(name, out value))
            return true;
        if (required && !partial)
            AddError(name, ApiResults.Messages.FieldRequired);
        return false;
    }

    private string? TryGetString(string name, JsonElement value)
    {
        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            // A lone surrogate escape ("\ud800") is valid JSON but not text.
            return Error(name, "Surrogate characters are not allowed.");
        }
    }

    private string? Error(string name, string message) => Error<string?>(name, message);

    private T? Error<T>(string name, string message)
    {
        AddError(name, message);
        return default;
    }

    private static Dictionary<string, List<string>> CheckIsObject(JsonElement fields)
    {
        var errors = new Dictionary<string, List<string>>();
        if (fields.ValueKind != JsonValueKind.Object)
            errors["non_field_errors"] = [$"Invalid data. Expected a dictionary, but got {PythonTypeName(fields)}."];
        return errors;
    }

    /// <summary>DRF names a JSON value's type the way Python does, in "got type …" messages.</summary>
    internal static string PythonTypeName(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => "dict",
        JsonValueKind.Array => "list",
        JsonValueKind.String => "str",
        JsonValueKind.Number => e.GetRawText().AsSpan().IndexOfAny(".eE") >= 0 ? "float" : "int",
        JsonValueKind.True or JsonValueKind.False => "bool",
        _ => "NoneType",
    };

    private static readonly HashSet<string> TrueSpellings = new(StringComparer.Ordinal)
        { "true", "True", "TRUE", "1", "y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "t", "T" };

    private static readonly HashSet<string> FalseSpellings = new(StringComparer.Ordinal)
        { "false", "False", "FALSE", "0", "n", "N", "no", "No", "NO", "off", "Off", "OFF", "f", "F" };

    // Django's EmailValidator in spirit: a local part, an @, a dotted domain, no spaces.
    [GeneratedRegex(@"^[^@\s""(),:;<>\[\\\]]+@([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex EmailPattern();
}
