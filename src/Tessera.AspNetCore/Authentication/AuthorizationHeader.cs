using System.Buffers;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Tessera.AspNetCore.Authentication;

/// <summary>Reads <c>Authorization</c> the way DRF's authenticators do.</summary>
internal static class AuthorizationHeader
{
    /// <summary>
    /// Python's <c>bytes.split()</c> separators, which DRF applies to the header's bytes: ASCII
    /// whitespace only. No other character separates or is trimmed: .NET's own whitespace (U+00A0,
    /// U+2003, U+3000, U+2028, U+0085, ...) would let <c>Bearer&lt;NBSP&gt;token</c> authenticate where
    /// RFC 9110 and DRF see one word.
    /// </summary>
    public static readonly SearchValues<char> Separators = SearchValues.Create(" \t\n\v\f\r");

    /// <summary>
    /// The header split on runs of ASCII whitespace when its first word is <paramref name="keyword"/>;
    /// null when it is some other scheme's. DRF's own authenticators compare the keyword
    /// ASCII-case-insensitively (<c>bytes.lower()</c>: no Unicode case folding, so <c>Baſic</c> is
    /// not <c>Basic</c>), SimpleJWT's exactly (<paramref name="ignoreCase"/> false).
    /// </summary>
    public static IReadOnlyList<string>? Split(HttpRequest request, string keyword, bool ignoreCase = true)
    {
        if (!FirstWordIs(request, keyword, ignoreCase))
            return null;
        var header = request.Headers.Authorization.ToString();
        var parts = SplitOnAsciiWhitespace(header);
        if (parts.Count == 0)
            return null;
        var matches = ignoreCase ? Ascii.EqualsIgnoreCase(parts[0], keyword) : string.Equals(parts[0], keyword, StringComparison.Ordinal);
        return matches ? parts : null;
    }

    /// <summary>
    /// Whether <see cref="Split"/> would find <paramref name="keyword"/> first, without splitting or
    /// allocating: the scheme chain asks it to skip the schemes a request's header is not for.
    /// </summary>
    public static bool FirstWordIs(HttpRequest request, string keyword, bool ignoreCase = true)
    {
        var values = request.Headers.Authorization;
        if (values.Count == 0)
            return false;
        var header = values.Count == 1 ? values[0].AsSpan() : values.ToString().AsSpan();
        var start = header.IndexOfAnyExcept(Separators);
        if (start < 0)
            return false;
        header = header[start..];
        var end = header.IndexOfAny(Separators);
        var first = end < 0 ? header : header[..end];
        return ignoreCase ? Ascii.EqualsIgnoreCase(first, keyword) : first.SequenceEqual(keyword);
    }

    /// <summary>
    /// The credential of the usual header, exactly <c>&lt;keyword&gt; &lt;credential&gt;</c> with one
    /// space and no other separator, as a slice of the header (nothing copied); false for any other
    /// header, which <see cref="Split"/> then reads. Both agree wherever this one answers.
    /// </summary>
    public static bool TryGetSimpleCredential(HttpRequest request, string keyword, out ReadOnlyMemory<char> credential)
    {
        credential = default;
        var values = request.Headers.Authorization;
        if (values.Count != 1 || values[0] is not { } header
            || header.Length <= keyword.Length + 1
            || header[keyword.Length] != ' '
            || !header.AsSpan(0, keyword.Length).SequenceEqual(keyword)
            || header.AsSpan(keyword.Length + 1).ContainsAny(Separators))
            return false;
        credential = header.AsMemory(keyword.Length + 1);
        return true;
    }

    /// <summary>Non-empty words between runs of <see cref="Separators"/>.</summary>
    public static List<string> SplitOnAsciiWhitespace(string text)
    {
        var parts = new List<string>(2);
        var rest = text.AsSpan();
        while (true)
        {
            var start = rest.IndexOfAnyExcept(Separators);
            if (start < 0)
                return parts;
            rest = rest[start..];
            var end = rest.IndexOfAny(Separators);
            if (end < 0)
            {
                parts.Add(rest.ToString());
                return parts;
            }
            parts.Add(rest[..end].ToString());
            rest = rest[end..];
        }
    }
}
