using CsCheck;
using Microsoft.AspNetCore.Http;
using Tessera.AspNetCore.Authentication;

namespace Tessera.Server.Tests.Library;

/// <summary>
/// The in-place read of the usual <c>Bearer &lt;token&gt;</c> header agrees with DRF's split wherever
/// it answers, and leaves every other header (extra spaces, tabs, other keywords, case) to the split.
/// </summary>
public sealed class AuthorizationHeaderTests
{
    private static HttpRequest Request(string authorization)
    {
        var context = new DefaultHttpContext();
        context.Request.Headers.Authorization = authorization;
        return context.Request;
    }

    [Theory]
    [InlineData("Bearer abc.def.ghi", "abc.def.ghi")]
    [InlineData("Bearer a", "a")]
    public void The_usual_header_is_read_in_place(string header, string credential)
    {
        Assert.True(AuthorizationHeader.TryGetSimpleCredential(Request(header), "Bearer", out var read));
        Assert.Equal(credential, read.ToString());
    }

    [Theory]
    [InlineData("Bearer")]
    [InlineData("Bearer ")]
    [InlineData("Bearer  abc")]
    [InlineData(" Bearer abc")]
    [InlineData("Bearer\tabc")]
    [InlineData("Bearer abc def")]
    [InlineData("Bearer abc ")]
    [InlineData("bearer abc")]
    [InlineData("Token abc")]
    [InlineData("BearerX abc")]
    public void Any_other_header_is_left_to_the_split(string header)
        => Assert.False(AuthorizationHeader.TryGetSimpleCredential(Request(header), "Bearer", out _));

    [Fact]
    public void Wherever_it_answers_it_agrees_with_the_split()
    {
        Gen.String[Gen.Char["Beartkn \t\n.x\u00a0"], 0, 14].Select(tail => "Bearer" + tail).Sample(header =>
        {
            var request = Request(header);
            if (!AuthorizationHeader.TryGetSimpleCredential(request, "Bearer", out var read))
                return true;
            return AuthorizationHeader.Split(request, "Bearer", ignoreCase: false) is [_, var token] && token == read.ToString();
        }, iter: 20_000);
    }
}
