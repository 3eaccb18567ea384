using Microsoft.Extensions.Logging;
using Tessera.Core.Logins;

namespace Tessera.AspNetCore.Revocation;

public sealed partial class LoggingLoginEvents(ILogger<LoggingLoginEvents> logger) : ILoginEvents
{
    public void RefreshTokenReused(long? userId, string? loginId) => LogReuse(logger, userId, loginId);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Refresh token reuse: a rotated refresh token of user {UserId} was presented again; login {LoginId} revoked as stolen")]
    private static partial void LogReuse(ILogger logger, long? userId, string? loginId);
}
