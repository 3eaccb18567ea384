using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;
using Tessera.Core.Throttling;

namespace Tessera.AspNetCore.Throttling;

/// <summary>The outcome of <see cref="LoginProtection.RunAsync{T}"/>: refused (answer <see cref="Refused"/>) or the check's result.</summary>
/// <param name="Value">What the check returned (null / false for a wrong password); default when refused.</param>
/// <param name="Refused">The 429 to answer when too many logins failed; null otherwise.</param>
public readonly record struct LoginAttempt<T>(T? Value, IResult? Refused);

/// <summary>
/// Wraps a password check in <see cref="LoginAttemptLimiter"/>: refuses (429) past the limits
/// (after waiting for the attempts in flight, if it is they that fill one), waits out the slowdown
/// without holding a thread, runs the check, and records its outcome.
/// Call it after the request's fields are validated, for every login endpoint alike:
/// <code>
/// var attempt = await protection.RunAsync(context, username, ct => signIn.AuthenticateAsync(username, password, ct));
/// if (attempt.Refused is { } refused) return refused;
/// var user = attempt.Value; // null: wrong credentials, answer as before
/// </code>
/// </summary>
public sealed class LoginProtection(LoginAttemptLimiter limiter, TimeProvider time)
{
    /// <summary>For a check that returns the user, or null when the credentials are wrong.</summary>
    public async Task<LoginAttempt<T>> RunAsync<T>(HttpContext context, string username, Func<CancellationToken, Task<T?>> authenticate)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(authenticate);
        var attempt = await RunCoreAsync(context, username, authenticate, static value => value is not null).ConfigureAwait(false);
        return new LoginAttempt<T>(attempt.Value, attempt.Refused);
    }

    /// <summary>For a check that returns whether the credentials are right.</summary>
    public Task<LoginAttempt<bool>> RunAsync(HttpContext context, string username, Func<CancellationToken, Task<bool>> checkPassword)
    {
        ArgumentNullException.ThrowIfNull(checkPassword);
        return RunCoreAsync(context, username, checkPassword, static ok => ok);
    }

    private async Task<LoginAttempt<T>> RunCoreAsync<T>(HttpContext context, string username,
        Func<CancellationToken, Task<T>> check, Func<T, bool> succeeded)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(username);
        var cancellation = context.RequestAborted;
        var gate = await limiter.CheckAsync(username, ClientAddress(context), cancellation).ConfigureAwait(false);
        if (gate.IsRefused)
        {
            // Busy: attempts still being checked filled the limit all along; nothing failed, so DRF's plain throttle.
            var refused = gate.IsBusy ? ThrottleResults.Throttled(gate.RetryAfter) : ThrottleResults.TooManyLoginAttempts(gate.RetryAfter);
            return new LoginAttempt<T>(default, refused);
        }

        T result;
        try
        {
            if (gate.Delay > TimeSpan.Zero)
                await Task.Delay(gate.Delay, time, cancellation).ConfigureAwait(false);
            result = await check(cancellation).ConfigureAwait(false);
        }
        catch
        {
            // The password was not checked (client gone, hashing pool busy, store down): not a failure.
            await limiter.AbandonAsync(gate, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
        if (succeeded(result))
            await limiter.RecordSuccessAsync(gate, CancellationToken.None).ConfigureAwait(false);
        else
            await limiter.RecordFailureAsync(gate, CancellationToken.None).ConfigureAwait(false);
        return new LoginAttempt<T>(result, null);
    }

    /// <summary>
    /// The address failures are counted against: the client's IP (IPv4-mapped IPv6 as IPv4), an
    /// IPv6 address by its /64 prefix (one subscriber's usual allocation, so an attacker cannot
    /// rotate through it), or null when unknown.
    /// </summary>
    public static string? ClientAddress(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var address = context.Connection.RemoteIpAddress;
        if (address is null)
            return null;
        if (address.IsIPv4MappedToIPv6)
            return address.MapToIPv4().ToString();
        if (address.AddressFamily != AddressFamily.InterNetworkV6 || IPAddress.IsLoopback(address))
            return address.ToString();
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes).ToString() + "/64";
    }
}
