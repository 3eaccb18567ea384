using Microsoft.AspNetCore.Http;

namespace Tessera.AspNetCore.Authentication;

/// <summary>Why a request's credentials were refused, as the body the scheme answers with (DRF's shapes differ per scheme).</summary>
public sealed record AuthFailure(object Body, int Status = StatusCodes.Status401Unauthorized)
{
    public static AuthFailure Detail(string detail) => new(new { detail });

    public static AuthFailure Detail(string detail, string code) => new(new { detail, code });
}
