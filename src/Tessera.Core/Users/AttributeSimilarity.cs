using System.Text.RegularExpressions;

namespace Tessera.Core.Users;

/// <summary>
/// Django's <c>UserAttributeSimilarityValidator</c>: a password is too similar to an attribute
/// (username, names, email) when, lowercased, its similarity to the whole attribute or to any of its
/// word-separated parts (so "alice" in "alice.smith@example.com" counts) reaches the maximum. A
/// password ten times longer than a part can never reach the bound against it and is not compared,
/// as in Django.
/// <para>
/// The similarity is <c>SequenceMatcher.ratio()</c> (Ratcliff/Obershelp: twice the characters of the
/// matching blocks over the total length), where Django compares its upper bound
/// <c>quick_ratio()</c> (the characters in common as multisets, in any order). The bound is kept as
/// the cheap first test, but alone it refuses unrelated random strings: "S3cure-" and twelve random
/// hex digits against the username "u" and eight others reach 0.7 about once in 2,000 (measured),
/// because the two share hex digits in no common order. The ratio refuses "alice2024" for "alice"
/// just the same, and those essentially never.
/// </para>
/// </summary>
internal static partial class AttributeSimilarity
{
    /// <summary>The verbose name of the first attribute the password is too similar to, or null.</summary>
    public static string? FirstSimilar(string password, PasswordOwner owner, double maxSimilarity)
    {
        ArgumentNullException.ThrowIfNull(password);
        ArgumentNullException.ThrowIfNull(owner);
        var lowered = CodePoints(password.ToLowerInvariant());
        foreach (var (name, value) in owner.Attributes())
        {
            if (string.IsNullOrEmpty(value))
                continue;
            var whole = value.ToLowerInvariant();
            foreach (var part in NonWord().Split(whole).Append(whole))
            {
                var candidate = CodePoints(part);
                if (ExceedsMaximumLengthRatio(lowered.Length, candidate.Length, maxSimilarity))
                    continue;
                if (QuickRatio(lowered, candidate) >= maxSimilarity && Ratio(lowered, candidate) >= maxSimilarity)
                    return name;
            }
        }
        return null;
    }

    /// <summary>Python's <c>SequenceMatcher(a, b).quick_ratio()</c>: an upper bound of the real ratio, and what Django compares.</summary>
    internal static double QuickRatio(int[] a, int[] b)
    {
        var total = a.Length + b.Length;
        if (total == 0)
            return 1.0;
        var available = new Dictionary<int, int>();
        foreach (var c in b)
            available[c] = available.GetValueOrDefault(c) + 1;
        var matches = 0;
        foreach (var c in a)
        {
            if (available.TryGetValue(c, out var left) && left > 0)
            {
                available[c] = left - 1;
                matches++;
            }
        }
        return 2.0 * matches / total;
    }

    /// <summary>Python's <c>SequenceMatcher(a, b, autojunk=False).ratio()</c>: 2 × the sizes of the matching blocks / the total length.</summary>
    internal static double Ratio(int[] a, int[] b)
    {
        var total = a.Length + b.Length;
        if (total == 0)
            return 1.0;
        var matched = 0;
        var pending = new Stack<(int ALo, int AHi, int BLo, int BHi)>();
        pending.Push((0, a.Length, 0, b.Length));
        while (pending.Count > 0)
        {
            var (alo, ahi, blo, bhi) = pending.Pop();
            var (i, j, size) = LongestMatch(a, b, alo, ahi, blo, bhi);
            if (size == 0)
                continue;
            matched += size;
            if (alo < i && blo < j)
                pending.Push((alo, i, blo, j));
            if (i + size < ahi && j + size < bhi)
                pending.Push((i + size, ahi, j + size, bhi));
        }
        return 2.0 * matched / total;
    }

    /// <summary>SequenceMatcher's find_longest_match without junk: the longest common run, the earliest in a, then in b.</summary>
    private static (int I, int J, int Size) LongestMatch(int[] a, int[] b, int alo, int ahi, int blo, int bhi)
    {
        var (bestI, bestJ, bestSize) = (alo, blo, 0);
        var width = bhi - blo;
        var previous = new int[width + 1];
        var current = new int[width + 1];
        for (var i = alo; i < ahi; i++)
        {
            for (var j = blo; j < bhi; j++)
            {
                var k = a[i] == b[j] ? previous[j - blo] + 1 : 0;
                current[j - blo + 1] = k;
                if (k > bestSize)
                    (bestI, bestJ, bestSize) = (i - k + 1, j - k + 1, k);
            }
            (previous, current) = (current, previous);
        }
        return (bestI, bestJ, bestSize);
    }

    // Django's exceeds_maximum_length_ratio: the ratio of a much longer password cannot reach the bound.
    private static bool ExceedsMaximumLengthRatio(int passwordLength, int valueLength, double maxSimilarity)
        => passwordLength >= 10 * valueLength && valueLength < maxSimilarity / 2 * passwordLength;

    private static int[] CodePoints(string text) => text.EnumerateRunes().Select(r => r.Value).ToArray();

    // Python's \W+ on str: anything that is not a letter, digit or underscore, in any script.
    [GeneratedRegex(@"[^\p{L}\p{Mn}\p{Nd}_]+", RegexOptions.CultureInvariant)]
    private static partial Regex NonWord();
}
