using System.Globalization;
using Microsoft.AspNetCore.Http;
using Tessera.AspNetCore.Http;
using Tessera.Core.Throttling;

namespace Tessera.AspNetCore.Throttling;

/// <summary>The 429 answers, in DRF's shape, with <c>Retry-After</c> in whole seconds (rounded up).</summary>
public static class ThrottleResults
{
    /// <summary>429 <c>{"detail": "Request was throttled. Expected available in N seconds."}</c> + <c>Retry-After: N</c>.</summary>
    public static IResult Throttled(TimeSpan wait)
    {
        var seconds = ThrottleMessages.ToSeconds(wait);
        return new RetryAfterResult(ApiResults.Detail(StatusCodes.Status429TooManyRequests, ThrottleMessages.Throttled(seconds)), seconds);
    }

    /// <summary>429 <c>{"detail": "Too many failed login attempts. Try again in N seconds."}</c> + <c>Retry-After: N</c>.</summary>
    public static IResult TooManyLoginAttempts(TimeSpan wait)
    {
        var seconds = ThrottleMessages.ToSeconds(wait);
        return new RetryAfterResult(ApiResults.Detail(StatusCodes.Status429TooManyRequests, ThrottleMessages.TooManyLoginAttempts(seconds)), seconds);
    }

    private sealed class RetryAfterResult(IResult inner, int seconds) : IResult, IStatusCodeHttpResult
    {
        public int? StatusCode => StatusCodes.Status429TooManyRequests;

        public Task ExecuteAsync(HttpContext httpContext)
        {
            ArgumentNullException.ThrowIfNull(httpContext);
            httpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            return inner.ExecuteAsync(httpContext);
        }
    }
}
