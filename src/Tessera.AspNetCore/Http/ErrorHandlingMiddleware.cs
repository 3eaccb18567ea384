using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tessera.Core.Passwords;

namespace Tessera.AspNetCore.Http;

/// <summary>
/// Outermost middleware: whatever goes wrong, the client gets JSON in DRF's shape with the right
/// status, never a stack trace or an HTML page. Also gives routing's bodiless 404/405, and a bodiless 415, DRF's bodies.
/// </summary>
internal sealed class ErrorHandlingMiddleware(RequestDelegate next, ILogger<ErrorHandlingMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e) when (!context.Response.HasStarted)
        {
            // Kestrel's, and the app's own endpoints' (minimal APIs throw them: AddTessera sets
            // RouteHandlerOptions.ThrowOnBadRequest), in the words Tessera's endpoints use.
            var (status, detail) = e.StatusCode switch
            {
                StatusCodes.Status413PayloadTooLarge => (e.StatusCode, ApiResults.Messages.BodyTooLarge),
                StatusCodes.Status415UnsupportedMediaType => (e.StatusCode, RequestBody.UnsupportedMediaType(context.Request.ContentType)),
                _ when e.InnerException is System.Text.Json.JsonException json => (StatusCodes.Status400BadRequest, "JSON parse error - " + json.Message),
                _ => (StatusCodes.Status400BadRequest, "Malformed request."),
            };
            context.Response.Clear();
            await ApiResults.WriteDetailAsync(context.Response, status, detail).ConfigureAwait(false);
            return;
        }
        catch (Authentication.NotATesseraUserException) when (!context.Response.HasStarted)
        {
            context.Response.Clear();
            await ApiResults.WriteDetailAsync(context.Response, StatusCodes.Status403Forbidden, ApiResults.Messages.PermissionDenied).ConfigureAwait(false);
            return;
        }
        catch (PasswordHashingBusyException) when (!context.Response.HasStarted)
        {
            context.Response.Headers.RetryAfter = "1";
            await ApiResults.WriteDetailAsync(context.Response, StatusCodes.Status503ServiceUnavailable,
                "The server is busy. Try again shortly.").ConfigureAwait(false);
            return;
        }
        catch (Exception e) when (!context.Response.HasStarted && IsDatabaseFault(e))
        {
            // The database refused or could not be reached: every write is one transaction, so
            // nothing was half-written, and the client may try again.
            // The cause in one line: an outage makes one per request, and its stack says nothing new.
            logger.LogWarning("Database fault on {Method} {Path}: {Cause}", context.Request.Method, context.Request.Path, DatabaseCause(e));
            context.Response.Clear();
            context.Response.Headers.RetryAfter = "1";
            await ApiResults.WriteDetailAsync(context.Response, StatusCodes.Status503ServiceUnavailable,
                ApiResults.Messages.ServiceUnavailable).ConfigureAwait(false);
            return;
        }
        catch (InvalidOperationException) when (!context.Response.HasStarted && HasNoSigningKey(context))
        {
            // The signer was retired with no published successor: every instance makes the next
            // key at once (one read, one write), and until then no token can be minted.
            context.Response.Clear();
            context.Response.Headers.RetryAfter = "1";
            await ApiResults.WriteDetailAsync(context.Response, StatusCodes.Status503ServiceUnavailable,
                ApiResults.Messages.ServiceUnavailable).ConfigureAwait(false);
            return;
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return; // the client went away; nobody is left to answer
        }
        catch (Exception e) when (!context.Response.HasStarted)
        {
            logger.LogError(e, "Unhandled exception on {Method} {Path}", context.Request.Method, context.Request.Path);
            context.Response.Clear();
            await ApiResults.WriteDetailAsync(context.Response, StatusCodes.Status500InternalServerError,
                ApiResults.Messages.ServerError).ConfigureAwait(false);
            return;
        }

        if (context.Response.HasStarted || context.Response.ContentLength is > 0 || context.Response.ContentType is not null)
            return;
        switch (context.Response.StatusCode)
        {
            case StatusCodes.Status404NotFound:
                await ApiResults.WriteDetailAsync(context.Response, StatusCodes.Status404NotFound, ApiResults.Messages.NotFound).ConfigureAwait(false);
                break;
            case StatusCodes.Status405MethodNotAllowed:
                await ApiResults.WriteDetailAsync(context.Response, StatusCodes.Status405MethodNotAllowed,
                    $"Method \"{context.Request.Method}\" not allowed.").ConfigureAwait(false);
                break;
            case StatusCodes.Status415UnsupportedMediaType:
                await ApiResults.WriteDetailAsync(context.Response, StatusCodes.Status415UnsupportedMediaType,
                    RequestBody.UnsupportedMediaType(context.Request.ContentType)).ConfigureAwait(false);
                break;
        }
    }

    private static bool HasNoSigningKey(HttpContext context)
        => context.RequestServices.GetService<Core.Jwt.JwsKeyRing>() is { Current.Signing: null };

    private static string DatabaseCause(Exception e)
    {
        for (var current = e; current is not null; current = current.InnerException)
            if (current is System.Data.Common.DbException db)
                return db.InnerException is { } socket ? $"{db.Message} ({socket.Message})" : db.Message;
        return e.Message;
    }

    /// <summary>A <see cref="System.Data.Common.DbException"/> anywhere in the chain (EF Core wraps the provider's).</summary>
    private static bool IsDatabaseFault(Exception e)
    {
        for (var current = e; current is not null; current = current.InnerException)
            if (current is System.Data.Common.DbException)
                return true;
        return false;
    }
}
