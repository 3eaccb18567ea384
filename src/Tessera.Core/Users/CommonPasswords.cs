using System.IO.Compression;

namespace Tessera.Core.Users;

/// <summary>
/// The 20,000 common and breached passwords that Django ships (Royce Williams's list, lowercased;
/// see <c>Users/Resources/common-passwords.NOTICE.txt</c>), embedded in this assembly and read once,
/// on first use (about 20,000 short strings). Compared as Django compares them: the password
/// lowercased and stripped of surrounding whitespace.
/// </summary>
internal static class CommonPasswords
{
    private const string ResourceName = "Tessera.Core.Users.common-passwords.txt.gz";

    private static readonly Lazy<HashSet<string>> List = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>How many passwords the list holds.</summary>
    public static int Count => List.Value.Count;

    public static bool Contains(string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        return List.Value.Contains(password.Trim().ToLowerInvariant());
    }

    private static HashSet<string> Load()
    {
        using var resource = typeof(CommonPasswords).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded resource {ResourceName} is missing from Tessera.Core.");
        using var gzip = new GZipStream(resource, CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        var set = new HashSet<string>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
            if (line.Trim() is { Length: > 0 } password)
                set.Add(password.ToLowerInvariant());
        return set;
    }
}
