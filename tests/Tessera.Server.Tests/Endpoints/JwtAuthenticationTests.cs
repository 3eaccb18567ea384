using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Tessera.Server.Tests.Infrastructure;
using static Tessera.Server.Tests.Endpoints.EndpointKit;

namespace Tessera.Server.Tests.Endpoints;

/// <summary><c>Authorization: Bearer</c> on a protected endpoint: SimpleJWT's JWTAuthentication, its errors, and the hardening beyond it.</summary>
[Collection(ServerCollection.Name)]
public sealed class JwtAuthenticationTests(TesseraServer server)
{
    private async Task<(RegisteredUser User, long Id)> UserAsync()
    {
        var user = await server.RegisterAsync();
        return (user, UserId(user.Access));
    }

    private async Task<ApiResponse> HelloAsync(string authorization)
    {
        using var client = server.CreateClient();
        return await client.GetWithAuthorizationAsync("/api/hello/", authorization);
    }

    private static string Tamper(string segment)
    {
        // Flip the last character to another valid base64url character with the same padding bits.
        var last = segment[^1];
        return segment[..^1] + (last == 'A' ? 'Q' : 'A');
    }

    [Fact]
    public async Task No_credentials_is_a_challenge()
    {
        using var client = server.CreateClient();

        var r = await client.GetJsonAsync("/api/hello/");

        Assert.True(r.Status == 401, r.ToString());
        Assert.Equal(Compact(new { detail = NotProvided }), r.Compact());
        Assert.Equal(BearerRealm, r.WwwAuthenticate());
        Assert.Equal("application/json", r.ContentType);
    }

    [Theory]
    [InlineData("Bearer a b")]
    [InlineData("Bearer")]
    [InlineData("Bearer  a  b")]
    public async Task Header_without_exactly_two_parts_is_a_bad_header(string header)
    {
        var r = await HelloAsync(header);

        Assert.True(r.Status == 401, r.ToString());
        Assert.Equal(Compact(new { detail = "Authorization header must contain two space-delimited values", code = "bad_authorization_header" }), r.Compact());
        Assert.Equal(BearerRealm, r.WwwAuthenticate());
    }

    [Theory]
    [InlineData("Digest abc")]
    [InlineData("Negotiate abc")]
    public async Task Another_scheme_word_is_no_credentials_at_all(string header)
    {
        var r = await HelloAsync(header);

        Assert.True(r.Status == 401, r.ToString());
        Assert.Equal(Compact(new { detail = NotProvided }), r.Compact());
        Assert.Equal(BearerRealm, r.WwwAuthenticate());
    }

    [Fact]
    public async Task Header_type_is_matched_exactly_as_SimpleJWT_does()
    {
        // SimpleJWT compares the first word with AUTH_HEADER_TYPES byte for byte: "bearer" is not its header.
        var (user, _) = await UserAsync();

        var r = await HelloAsync("bearer " + user.Access);

        Assert.True(r.Status == 401, r.ToString());
        Assert.Equal(Compact(new { detail = NotProvided }), r.Compact());
    }

    [Fact]
    public async Task Valid_access_token_authenticates_with_extra_whitespace()
    {
        var (user, _) = await UserAsync();

        var r = await HelloAsync("Bearer   " + user.Access);

        Assert.True(r.Status == 200, r.ToString());
    }

    [Fact]
    public async Task Garbage_token_is_not_valid_for_any_class()
    {
        AssertNotValidForAnyClass(await HelloAsync("Bearer garbage"));
        AssertNotValidForAnyClass(await HelloAsync("Bearer a.b.c"));
        AssertNotValidForAnyClass(await HelloAsync("Bearer ..."));
    }

    [Fact]
    public async Task Tampered_payload_is_refused()
    {
        var (user, id) = await UserAsync();
        var parts = user.Access.Split('.');
        var claims = Claims(id + 1);
        var forgedPayload = B64(System.Text.Json.JsonSerializer.Serialize(claims));

        AssertNotValidForAnyClass(await HelloAsync($"Bearer {parts[0]}.{forgedPayload}.{parts[2]}"));
        AssertNotValidForAnyClass(await HelloAsync($"Bearer {parts[0]}.{Tamper(parts[1])}.{parts[2]}"));
    }

    [Fact]
    public async Task Tampered_signature_is_refused()
    {
        var (user, _) = await UserAsync();
        var parts = user.Access.Split('.');

        AssertNotValidForAnyClass(await HelloAsync($"Bearer {parts[0]}.{parts[1]}.{Tamper(parts[2])}"));
        AssertNotValidForAnyClass(await HelloAsync($"Bearer {parts[0]}.{parts[1]}."));
        AssertNotValidForAnyClass(await HelloAsync($"Bearer {parts[0]}.{parts[1]}.{parts[2][..^4]}"));
    }

    [Fact]
    public async Task Alg_none_is_refused()
    {
        var (_, id) = await UserAsync();
        var payload = B64(System.Text.Json.JsonSerializer.Serialize(Claims(id)));

        AssertNotValidForAnyClass(await HelloAsync($"Bearer {B64("""{"alg":"none","typ":"JWT"}""")}.{payload}."));
        AssertNotValidForAnyClass(await HelloAsync($"Bearer {B64("""{"alg":"None","typ":"JWT"}""")}.{payload}."));
        // alg none, yet carrying a valid HS256 signature of the same input.
        AssertNotValidForAnyClass(await HelloAsync("Bearer " + Forge("""{"alg":"none","typ":"JWT"}""", System.Text.Json.JsonSerializer.Serialize(Claims(id)))));
    }

    [Fact]
    public async Task Another_algorithm_with_the_same_key_is_refused()
    {
        var (_, id) = await UserAsync();
        var header = B64("""{"alg":"HS512","typ":"JWT"}""");
        var payload = B64(System.Text.Json.JsonSerializer.Serialize(Claims(id)));
        var signature = B64(HMACSHA512.HashData(Encoding.UTF8.GetBytes(TesseraServer.SigningKey), Encoding.ASCII.GetBytes($"{header}.{payload}")));

        AssertNotValidForAnyClass(await HelloAsync($"Bearer {header}.{payload}.{signature}"));
        // The header claims HS512, but the signature is an HS256 one: still not ours.
        AssertNotValidForAnyClass(await HelloAsync("Bearer " + Forge("""{"alg":"HS512","typ":"JWT"}""", System.Text.Json.JsonSerializer.Serialize(Claims(id)))));
        AssertNotValidForAnyClass(await HelloAsync("Bearer " + Forge("""{"alg":"hs256","typ":"JWT"}""", System.Text.Json.JsonSerializer.Serialize(Claims(id)))));
    }

    [Fact]
    public async Task Non_canonical_base64url_is_refused()
    {
        var (user, _) = await UserAsync();
        var parts = user.Access.Split('.');

        // The same bytes spelled another way must not be another valid token.
        AssertNotValidForAnyClass(await HelloAsync($"Bearer {user.Access}="));
        AssertNotValidForAnyClass(await HelloAsync($"Bearer {user.Access}=="));
        AssertNotValidForAnyClass(await HelloAsync($"Bearer {parts[0]}=.{parts[1]}.{parts[2]}"));
        var standard = $"{parts[0]}.{parts[1]}.{parts[2].Replace('-', '+').Replace('_', '/')}";
        if (standard != user.Access)
            AssertNotValidForAnyClass(await HelloAsync($"Bearer {standard}"));
        Assert.Equal(200, (await HelloAsync($"Bearer {user.Access}")).Status);
    }

    [Fact]
    public async Task Refresh_token_does_not_authenticate()
    {
        var (user, _) = await UserAsync();

        AssertNotValidForAnyClass(await HelloAsync("Bearer " + user.Refresh), "Token has wrong type");
    }

    [Fact]
    public async Task Unknown_token_type_is_refused()
    {
        var (_, id) = await UserAsync();

        AssertNotValidForAnyClass(await HelloAsync("Bearer " + Sign(Claims(id, type: "password_reset"))), "Token has wrong type");
        AssertNotValidForAnyClass(await HelloAsync("Bearer " + Sign(Claims(id, type: "ACCESS"))), "Token has wrong type");
    }

    [Fact]
    public async Task Token_without_required_claims_is_refused_with_SimpleJWT_messages()
    {
        var (_, id) = await UserAsync();
        var noExp = Claims(id);
        noExp.Remove("exp");
        var noJti = Claims(id);
        noJti.Remove("jti");
        var noType = Claims(id);
        noType.Remove("token_type");

        AssertNotValidForAnyClass(await HelloAsync("Bearer " + Sign(noExp)), "Token has no 'exp' claim");
        AssertNotValidForAnyClass(await HelloAsync("Bearer " + Sign(noJti)), "Token has no id");
        AssertNotValidForAnyClass(await HelloAsync("Bearer " + Sign(noType)), "Token has no type");
    }

    [Fact]
    public async Task Token_without_user_id_is_refused()
    {
        var (_, id) = await UserAsync();
        var claims = Claims(id);
        claims.Remove("user_id");

        var r = await HelloAsync("Bearer " + Sign(claims));

        Assert.True(r.Status == 401, r.ToString());
        Assert.Equal("token_not_valid", r.Str("code"));
    }

    [Fact]
    public async Task Foreign_token_signed_with_the_shared_key_is_honoured()
    {
        // What a SimpleJWT service sharing the key mints: its claims only, none of Tessera's.
        var (user, id) = await UserAsync();
        var token = Forge(Hs256Header, $$"""{"token_type":"access","exp":{{NowSeconds + 300}},"iat":{{NowSeconds}},"jti":"{{NewJti()}}","user_id":{{id}}}""");

        var r = await HelloAsync("Bearer " + token);

        Assert.True(r.Status == 200, r.ToString());
        Assert.Equal(Compact(new { message = $"Hello, {user.Username}" }), r.Compact());
    }

    [Fact]
    public async Task Foreign_token_with_header_keys_in_another_order_and_a_kid_is_honoured()
    {
        var (_, id) = await UserAsync();
        var payload = System.Text.Json.JsonSerializer.Serialize(Claims(id));

        Assert.Equal(200, (await HelloAsync("Bearer " + Forge("""{"typ":"JWT","alg":"HS256"}""", payload))).Status);
        Assert.Equal(200, (await HelloAsync("Bearer " + Forge("""{"alg":"HS256"}""", payload))).Status);
        Assert.Equal(200, (await HelloAsync("Bearer " + Forge("""{"alg":"HS256","kid":"other-service","typ":"JWT"}""", payload))).Status);
    }

    [Fact]
    public async Task Foreign_sliding_token_signed_with_the_shared_key_is_honoured()
    {
        var (_, id) = await UserAsync();
        var claims = Claims(id, type: "sliding");
        claims["refresh_exp"] = NowSeconds + 3600;

        var r = await HelloAsync("Bearer " + Sign(claims));

        Assert.True(r.Status == 200, r.ToString());
    }

    [Fact]
    public async Task Token_signed_with_another_key_is_refused()
    {
        var (_, id) = await UserAsync();

        AssertNotValidForAnyClass(await HelloAsync("Bearer " + Sign(Claims(id), key: "test-signing-key-0123456789-0123456789-012345678X")));
        AssertNotValidForAnyClass(await HelloAsync("Bearer " + Sign(Claims(id), key: "")));
    }

    [Fact]
    public async Task Expired_token_is_refused_and_exp_is_exclusive()
    {
        var (_, id) = await UserAsync();
        var now = NowSeconds;

        AssertNotValidForAnyClass(await HelloAsync("Bearer " + Sign(Claims(id, exp: now - 1, iat: now - 901))));
        AssertNotValidForAnyClass(await HelloAsync("Bearer " + Sign(Claims(id, exp: now - 86_400, iat: now - 87_000))));
    }

    [Fact]
    public async Task Token_not_yet_valid_is_refused()
    {
        var (_, id) = await UserAsync();
        var claims = Claims(id);
        claims["nbf"] = NowSeconds + 600;

        AssertNotValidForAnyClass(await HelloAsync("Bearer " + Sign(claims)));
    }

    [Fact]
    public async Task Token_naming_an_audience_nobody_configured_is_refused()
    {
        var (_, id) = await UserAsync();
        var claims = Claims(id);
        claims["aud"] = "some-other-api";

        AssertNotValidForAnyClass(await HelloAsync("Bearer " + Sign(claims)));
    }

    [Fact]
    public async Task Duplicate_claims_cannot_smuggle_a_user_id()
    {
        var (_, id) = await UserAsync();
        var (_, victim) = await UserAsync();
        var payload = $$"""{"token_type":"access","exp":{{NowSeconds + 300}},"iat":{{NowSeconds}},"jti":"{{NewJti()}}","user_id":{{id}},"user_id":{{victim}}}""";

        AssertNotValidForAnyClass(await HelloAsync("Bearer " + Forge(Hs256Header, payload)));
    }

    [Fact]
    public async Task Critical_header_extension_is_refused()
    {
        var (_, id) = await UserAsync();
        var payload = System.Text.Json.JsonSerializer.Serialize(Claims(id));

        AssertNotValidForAnyClass(await HelloAsync("Bearer " + Forge("""{"alg":"HS256","crit":["x-ext"],"typ":"JWT","x-ext":1}""", payload)));
    }

    [Fact]
    public async Task Embedded_key_headers_are_refused()
    {
        var (_, id) = await UserAsync();
        var payload = System.Text.Json.JsonSerializer.Serialize(Claims(id));

        AssertNotValidForAnyClass(await HelloAsync("Bearer " + Forge("""{"alg":"HS256","jku":"https://attacker.example/jwks","typ":"JWT"}""", payload)));
        AssertNotValidForAnyClass(await HelloAsync("Bearer " + Forge("""{"alg":"HS256","jwk":{"kty":"oct","k":"AAAA"},"typ":"JWT"}""", payload)));
    }

    [Fact]
    public async Task Oversized_token_is_refused_without_a_server_error()
    {
        var (_, id) = await UserAsync();
        var claims = Claims(id);
        claims["padding"] = new string('x', 12_000);

        var r = await HelloAsync("Bearer " + Sign(claims));

        Assert.True(r.Status == 401, r.ToString());
        AssertCleanJsonError(r);
    }

    [Fact]
    public async Task Token_of_a_user_that_does_not_exist_is_user_not_found()
    {
        var r = await HelloAsync("Bearer " + Sign(Claims(987654321L)));

        Assert.True(r.Status == 401, r.ToString());
        Assert.Equal(Compact(new { detail = "User not found", code = "user_not_found" }), r.Compact());
        Assert.Equal(BearerRealm, r.WwwAuthenticate());
    }

    [Fact]
    public async Task Token_of_a_deleted_user_stops_working()
    {
        var (user, _) = await UserAsync();
        Assert.Equal(200, (await HelloAsync("Bearer " + user.Access)).Status);
        await server.AdministerAsync(a => a.DeleteAsync(user.Username));

        var r = await HelloAsync("Bearer " + user.Access);

        Assert.True(r.Status == 401, r.ToString());
        Assert.Equal(Compact(new { detail = "User not found", code = "user_not_found" }), r.Compact());
    }

    [Fact]
    public async Task Deactivated_user_is_refused_on_the_next_request()
    {
        var (user, _) = await UserAsync();
        Assert.Equal(200, (await HelloAsync("Bearer " + user.Access)).Status);
        await server.AdministerAsync(a => a.SetActiveAsync(user.Username, false));

        var r = await HelloAsync("Bearer " + user.Access);

        Assert.True(r.Status == 401, r.ToString());
        Assert.Equal(Compact(new { detail = "User is inactive", code = "user_inactive" }), r.Compact());
        Assert.Equal(BearerRealm, r.WwwAuthenticate());
    }

    [Fact]
    public async Task Reactivated_user_logs_in_again_but_tokens_from_before_the_deactivation_stay_dead()
    {
        var (user, id) = await UserAsync();
        // A token another SimpleJWT service signed with the shared key: no epoch, judged by its iat.
        var foreign = Sign(Claims(id, iat: NowSeconds - 1));
        Assert.Equal(200, (await HelloAsync("Bearer " + foreign)).Status);
        await server.AdministerAsync(a => a.SetActiveAsync(user.Username, false));
        Assert.Equal(401, (await HelloAsync("Bearer " + user.Access)).Status);
        await server.AdministerAsync(a => a.SetActiveAsync(user.Username, true));

        // Deactivation ends every login, as a password change does: reactivating the account must
        // not bring back a token that was stolen before it.
        Assert.Equal(401, (await HelloAsync("Bearer " + user.Access)).Status);
        Assert.Equal(401, (await HelloAsync("Bearer " + foreign)).Status);
        using var client = server.CreateClient();
        var again = await client.PostJsonAsync("/api/token/", new { username = user.Username, password = user.Password });
        Assert.Equal(200, again.Status);
        Assert.Equal(200, (await HelloAsync("Bearer " + again.Str("access"))).Status);
    }

    [Theory]
    [InlineData("1e30")]
    [InlineData("1.7976931348623157e308")]
    [InlineData("99999999999999999999999999999999")]
    [InlineData("-1e30")]
    public async Task Out_of_range_exp_never_causes_a_server_error(string exp)
    {
        var (_, id) = await UserAsync();
        var token = Forge(Hs256Header, $$"""{"token_type":"access","exp":{{exp}},"iat":{{NowSeconds}},"jti":"{{NewJti()}}","user_id":{{id}}}""");

        var r = await HelloAsync("Bearer " + token);

        Assert.True(r.Status is 200 or 401, r.ToString());
        Assert.Equal("application/json", r.ContentType);
        if (exp.StartsWith('-'))
            Assert.Equal(401, r.Status);
    }

    [Fact]
    public async Task Out_of_range_exp_never_breaks_refresh_or_blacklist()
    {
        var (_, id) = await UserAsync();
        var token = Forge(Hs256Header, $$"""{"token_type":"refresh","exp":1e30,"iat":{{NowSeconds}},"jti":"{{NewJti()}}","user_id":{{id}}}""");
        using var client = server.CreateClient();

        var refresh = await client.PostJsonAsync("/api/token/refresh/", new { refresh = token });
        var blacklist = await client.PostJsonAsync("/api/token/blacklist/", new { refresh = token });

        Assert.True(refresh.Status is 200 or 401, refresh.ToString());
        Assert.True(blacklist.Status is 200 or 401, blacklist.ToString());
        Assert.False(refresh.Status == 200 && blacklist.Status == 200, "refreshed and then blacklisted the same jti");
    }

    [Theory]
    [InlineData("4000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("-1")]
    [InlineData("0")]
    [InlineData("1.5")]
    [InlineData("true")]
    [InlineData("null")]
    [InlineData("[1]")]
    [InlineData("{\"id\":1}")]
    public async Task Odd_user_ids_are_refused_never_a_server_error(string userId)
    {
        var token = Forge(Hs256Header, $$"""{"token_type":"access","exp":{{NowSeconds + 300}},"iat":{{NowSeconds}},"jti":"{{NewJti()}}","user_id":{{userId}}}""");

        var r = await HelloAsync("Bearer " + token);

        Assert.True(r.Status == 401, r.ToString());
        Assert.Contains(r.Str("code"), new[] { "user_not_found", "token_not_valid" });
        AssertCleanJsonError(r);
    }

    [Fact]
    public async Task User_id_of_400_digits_is_refused_never_a_server_error()
    {
        var token = Forge(Hs256Header, $$"""{"token_type":"access","exp":{{NowSeconds + 300}},"iat":{{NowSeconds}},"jti":"{{NewJti()}}","user_id":{{new string('7', 400)}}}""");
        using var client = server.CreateClient();

        var hello = await HelloAsync("Bearer " + token);
        var verify = await client.PostJsonAsync("/api/verify-token/", new { token });

        Assert.True(hello.Status == 401, hello.ToString());
        Assert.Contains(hello.Str("code"), new[] { "user_not_found", "token_not_valid" });
        Assert.True(verify.Status is 400, verify.ToString());
    }

    [Fact]
    public async Task User_id_as_a_numeric_string_is_honoured()
    {
        // SimpleJWT 5.5 writes user_id as a string; tokens from such a service must keep working.
        var (user, id) = await UserAsync();

        var r = await HelloAsync("Bearer " + Sign(Claims(id.ToString(System.Globalization.CultureInfo.InvariantCulture))));

        Assert.True(r.Status == 200, r.ToString());
        Assert.Equal(Compact(new { message = $"Hello, {user.Username}" }), r.Compact());
    }

    [Fact]
    public async Task User_id_as_a_non_numeric_string_is_refused()
    {
        var r = await HelloAsync("Bearer " + Sign(Claims("admin")));

        Assert.True(r.Status == 401, r.ToString());
        AssertCleanJsonError(r);
    }

    [Fact]
    public async Task Valid_token_on_an_anonymous_endpoint_is_fine()
    {
        var (user, _) = await UserAsync();
        using var client = server.CreateClient();

        var r = await client.GetJsonAsync("/ping/", user.Bearer);

        Assert.True(r.Status == 200, r.ToString());
    }
}
