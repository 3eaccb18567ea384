using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Tessera.AspNetCore.Authentication;

/// <summary>
/// The access log: a line per request a Tessera scheme admitted ("user 42 (jwt) accessed GET
/// /api/hello/"), under the category <see cref="Category"/>, at Information, event id 2401. Off unless
/// the app's logging rules name the category (<c>Logging:LogLevel:Tessera.Access: Information</c>): a
/// rule that does not (<c>Default: Information</c>) leaves it off (<see cref="AccessLogDefault"/>), since
/// a line per request is a cost a busy server should not pay by accident. The path is written escaped
/// (no line breaks an attacker could forge lines with) and without its query (where secrets travel).
/// </summary>
internal static partial class AccessLog
{
    public const string Category = "Tessera.Access";

    public const int AccessedId = 2401;

    [LoggerMessage(EventId = AccessedId, Level = LogLevel.Information, Message = "User {UserId} ({AuthenticationScheme}) accessed {Method} {Path}")]
    public static partial void Accessed(ILogger logger, long userId, string authenticationScheme, string method, string path);
}

/// <summary>
/// Holds <see cref="AccessLog.Category"/> at Warning, for every logger provider the rules name, unless a
/// rule names the category itself. It runs after the host's configuration rules (registered when the
/// host is made, before the app's services), so it sees them; an app's <c>AddFilter</c> after it is a
/// later rule of the same specificity, which wins.
/// </summary>
internal sealed class AccessLogDefault : IConfigureOptions<LoggerFilterOptions>
{
    public void Configure(LoggerFilterOptions options)
    {
        if (options.Rules.Any(r => r.CategoryName?.StartsWith(AccessLog.Category, StringComparison.OrdinalIgnoreCase) == true))
            return;
        // A provider with rules of its own reads only those: each needs the default too.
        var providers = options.Rules.Select(r => r.ProviderName).Where(p => p is not null).Distinct(StringComparer.Ordinal).ToList();
        options.Rules.Add(new LoggerFilterRule(null, AccessLog.Category, LogLevel.Warning, null));
        foreach (var provider in providers)
            options.Rules.Add(new LoggerFilterRule(provider, AccessLog.Category, LogLevel.Warning, null));
    }
}
