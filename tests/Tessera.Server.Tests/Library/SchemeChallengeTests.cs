using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Tessera.AspNetCore;
using Tessera.AspNetCore.Authentication;
using Tessera.Server.Tests.Infrastructure;
using static Tessera.Server.Tests.Endpoints.EndpointKit;

namespace Tessera.Server.Tests.Library;

/// <summary>
/// Issue 21: each scheme challenges with its own keyword and realm, from its options, and the chain's
/// first scheme decides how an anonymous request is answered, as DRF's <c>authenticators[0]</c> does:
/// sessions have no challenge (DRF turns the 401 into a 403), DRF tokens say <c>Token</c>, JWT
/// <c>Bearer realm="api"</c>. A refused credential gets its refusing scheme's challenge. The app may
/// change the answer (<c>OnChallenge</c>); every refusal writes one log line with an event id and no secret.
/// </summary>
[Trait("Storage", "Sqlite")] // its own SQLite deployments: run once, in the SQLite pass
public sealed class SchemeChallengeTests
{
    private static LibraryHost Host(Action<TesseraBuilder> addKinds, Action<Tessera.AspNetCore.Events.TesseraOptions>? configure = null)
        => new(addKinds, app =>
            {
                app.MapMethods("/api/hello/", ["GET", "POST"], () => Results.Ok(new { message = "hello" })).RequireAuthorization();
                app.MapGet("/api/staff/", () => Results.Ok()).RequireAuthorization(Tessera.AspNetCore.Authorization.TesseraPolicies.IsAdminUser);
            },
            configure,
            new Dictionary<string, string?> { [$"Logging:LogLevel:{AuthenticationLog.Category}"] = "Information" });

    [Fact]
    public async Task Only_sessions_answer_an_anonymous_request_403_without_a_challenge()
    {
        await using var host = await StartAsync(Host(t => t.AddSessions()));
        var hello = await host.Client.GetJsonAsync("/api/hello/");
        Assert.Equal(403, hello.Status);
        Assert.Equal(Compact(new { detail = NotProvided }), hello.Compact());
        Assert.Null(hello.WwwAuthenticate());
        Assert.Equal("application/json", hello.ContentType);
    }

    [Fact]
    public async Task Sessions_first_decide_for_the_chain_and_a_refused_token_still_gets_its_own_challenge()
    {
        await using var host = await StartAsync(Host(t => t.AddOpaqueTokens().AddSessions())); // the chain's order is DRF's: session, token
        var anonymous = await host.Client.GetJsonAsync("/api/hello/");
        Assert.Equal(403, anonymous.Status);
        Assert.Null(anonymous.WwwAuthenticate());

        var refused = await host.Client.GetWithAuthorizationAsync("/api/hello/", "Token 0123456789abcdef0123456789abcdef01234567");
        Assert.Equal(401, refused.Status);
        Assert.Equal("Invalid token.", refused.Str("detail"));
        Assert.Equal("Token", refused.WwwAuthenticate());
    }

    [Fact]
    public async Task Only_drf_tokens_answer_an_anonymous_request_401_with_their_keyword()
    {
        await using var host = await StartAsync(Host(t => t.AddOpaqueTokens()));
        var hello = await host.Client.GetJsonAsync("/api/hello/");
        Assert.Equal(401, hello.Status);
        Assert.Equal(Compact(new { detail = NotProvided }), hello.Compact());
        Assert.Equal("Token", hello.WwwAuthenticate());
    }

    [Fact]
    public async Task Jwt_first_answers_as_the_server_does()
    {
        await using var host = await StartAsync(Host(t => t.AddSessions().AddOpaqueTokens().AddJwt()));
        var hello = await host.Client.GetJsonAsync("/api/hello/");
        Assert.Equal(401, hello.Status);
        Assert.Equal(BearerRealm, hello.WwwAuthenticate());
    }

    [Fact]
    public async Task A_schemes_realm_and_keyword_come_from_its_options()
    {
        await using var host = await StartAsync(Host(t => t.AddBasic(o => o.Realm = "tessera").AddJwt(configureScheme: o => o.HeaderType = "JWT")));
        var anonymous = await host.Client.GetJsonAsync("/api/hello/");
        Assert.Equal("JWT realm=\"api\"", anonymous.WwwAuthenticate());
        var basic = await host.Client.GetWithAuthorizationAsync("/api/hello/", "Basic dTpw");
        Assert.Equal(401, basic.Status);
        Assert.Equal("Basic realm=\"tessera\"", basic.WwwAuthenticate());
    }

    [Fact]
    public async Task The_app_may_change_the_challenge_or_answer_it_itself()
    {
        var seen = new List<(string Scheme, RefusalReason Reason)>();
        await using var host = await StartAsync(Host(t => t.AddJwt(), o => o.Events.OnChallenge = async c =>
        {
            lock (seen)
                seen.Add((c.Scheme, c.Reason));
            if (c.HttpContext.Request.Headers.ContainsKey("X-Own-Answer"))
            {
                c.HttpContext.Response.StatusCode = 401;
                await c.HttpContext.Response.WriteAsJsonAsync(new { error = "sign in first" });
                c.HandleResponse();
            }
            else
                c.AuthenticateHeader = "Bearer realm=\"notes\"";
        }));

        var changed = await host.Client.GetJsonAsync("/api/hello/");
        Assert.Equal(401, changed.Status);
        Assert.Equal("Bearer realm=\"notes\"", changed.WwwAuthenticate());
        Assert.Equal(NotProvided, changed.Str("detail"));

        var own = await host.Client.SendJsonAsync(HttpMethod.Get, "/api/hello/", configure: m => m.Headers.Add("X-Own-Answer", "1"));
        Assert.Equal(401, own.Status);
        Assert.Equal(Compact(new { error = "sign in first" }), own.Compact());
        Assert.Null(own.WwwAuthenticate());

        var expired = await host.Client.GetWithAuthorizationAsync("/api/hello/", "Bearer " + Sign(Claims(1L, exp: NowSeconds - 60)));
        Assert.Equal(401, expired.Status);
        Assert.Equal([(TesseraSchemes.Jwt, RefusalReason.NoCredentials), (TesseraSchemes.Jwt, RefusalReason.NoCredentials), (TesseraSchemes.Jwt, RefusalReason.Expired)], seen);
    }

    [Fact]
    public async Task A_refused_request_writes_one_line_with_an_event_id_and_no_secret()
    {
        await using var host = await StartAsync(Host(t => t.AddJwt().AddOpaqueTokens()));
        var forged = Sign(Claims(424242L), "another-key-0123456789-0123456789-0123456789");
        const string drfToken = "feedfacefeedfacefeedfacefeedfacefeedface";
        (string Authorization, int EventId, RefusalReason Reason)[] cases =
        [
            ("", AuthenticationLog.NoCredentialsId, RefusalReason.NoCredentials),
            ("Bearer " + forged, AuthenticationLog.CredentialRefusedId, RefusalReason.BadSignature),
            ("Bearer " + Sign(Claims(424242L, exp: NowSeconds - 60)), AuthenticationLog.CredentialRefusedId, RefusalReason.Expired),
            ("Token " + drfToken, AuthenticationLog.CredentialRefusedId, RefusalReason.InvalidCredentials),
            ("Bearer " + Sign(Claims(987654321L)), AuthenticationLog.LoginRefusedId, RefusalReason.UserNotFound),
        ];
        foreach (var (authorization, eventId, reason) in cases)
        {
            host.Logs.Entries.Clear();
            var refused = authorization.Length == 0
                ? await host.Client.GetJsonAsync("/api/hello/")
                : await host.Client.GetWithAuthorizationAsync("/api/hello/", authorization);
            Assert.Equal(401, refused.Status);
            var line = Assert.Single(host.Logs.Entries, e => e.Category == AuthenticationLog.Category);
            Assert.Equal(eventId, line.EventId.Id);
            Assert.Equal(LogLevel.Information, line.Level);
            Assert.Contains($"({reason})", line.Message, StringComparison.Ordinal);
            Assert.Contains("answered 401", line.Message, StringComparison.Ordinal);
        }
        // The user's id when the login was proven; never the credential, nor any part of it.
        var all = string.Join("\n", host.Logs.Entries.Select(e => e.Message));
        Assert.DoesNotContain(forged.Split('.')[2], all, StringComparison.Ordinal);
        Assert.DoesNotContain(forged.Split('.')[1], all, StringComparison.Ordinal);
        Assert.DoesNotContain(drfToken, all, StringComparison.Ordinal);
        Assert.Contains("user 987654321", all, StringComparison.Ordinal);

        // A denial: the user is known, the policy says no.
        var name = "cl" + Guid.NewGuid().ToString("N")[..10];
        var registered = await host.Client.PostJsonAsync("/api/register/", new { username = name, password = "S3cure-pass-word" });
        host.Logs.Entries.Clear();
        var staff = await host.Client.GetJsonAsync("/api/staff/", Bearer(registered.Str("access")!));
        Assert.Equal(403, staff.Status);
        var denied = Assert.Single(host.Logs.Entries, e => e.Category == AuthenticationLog.Category);
        Assert.Equal(AuthenticationLog.PolicyDeniedId, denied.EventId.Id);
        Assert.Contains($"user {UserId(registered.Str("access")!)}", denied.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(registered.Str("access")!, denied.Message, StringComparison.Ordinal);
    }

    private static async Task<OwnedHost> StartAsync(LibraryHost host)
    {
        await host.InitializeAsync();
        return new OwnedHost(host);
    }

    private sealed class OwnedHost(LibraryHost host) : IAsyncDisposable
    {
        public HttpClient Client => host.Client;

        public LogCapture Logs => host.Logs;

        public async ValueTask DisposeAsync() => await host.DisposeAsync();
    }
}
