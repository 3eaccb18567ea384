namespace Tessera.AspNetCore.Authentication;

/// <summary>
/// A request feature: the request's credential is one a browser sends by itself (a cookie: the
/// session's, or the access-token cookie), so another site's page can make the browser send it. The
/// schemes that read cookies set it; CSRF and the Origin check of real-time endpoints look for it.
/// Headers, query tickets and query tokens are not ambient: a page must hold them to send them.
/// </summary>
internal sealed class AmbientCredential
{
    public static readonly AmbientCredential Instance = new();

    private AmbientCredential()
    {
    }
}
