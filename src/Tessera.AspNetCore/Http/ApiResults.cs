using Microsoft.AspNetCore.Http;

namespace Tessera.AspNetCore.Http;

/// <summary>Responses in DRF's shapes, serialized with <see cref="TesseraJson"/>.</summary>
public static class ApiResults
{
    public static IResult Json(object body, int status = StatusCodes.Status200OK)
        => Results.Json(body, TesseraJson.Options, contentType: "application/json", statusCode: status);

    /// <summary><c>{"detail": "..."}</c>, DRF's shape for every error that is not about a field.</summary>
    public static IResult Detail(int status, string detail) => Json(new { detail }, status);

    /// <summary><c>{"detail": "...", "code": "..."}</c>, SimpleJWT's shape for token errors.</summary>
    public static IResult Detail(int status, string detail, string code) => Json(new { detail, code }, status);

    public static IResult NotFound() => Detail(StatusCodes.Status404NotFound, Messages.NotFound);

    public static IResult PermissionDenied() => Detail(StatusCodes.Status403Forbidden, Messages.PermissionDenied);

    public static Task WriteDetailAsync(HttpResponse response, int status, string detail)
    {
        response.StatusCode = status;
        return response.WriteAsJsonAsync(new { detail }, TesseraJson.Options, "application/json");
    }

    /// <summary>DRF's fixed texts that clients compare against.</summary>
    public static class Messages
    {
        public const string NotFound = "Not found.";
        public const string PermissionDenied = "You do not have permission to perform this action.";
        public const string NotAuthenticated = "Authentication credentials were not provided.";
        public const string FieldRequired = "This field is required.";
        public const string ServerError = "A server error occurred.";
        public const string ServiceUnavailable = "The service is temporarily unavailable. Try again shortly.";
        public const string BodyTooLarge = "Request body is too large.";
    }
}
