using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Tessera.Server.Tests.Infrastructure;
using static Tessera.Server.Tests.Endpoints.EndpointKit;

namespace Tessera.Server.Tests.Endpoints;

/// <summary>The sample resources: articles (IsOwnerOrReadOnly) and tasks (scoped to their owner).</summary>
[Collection(ServerCollection.Name)]
public sealed class ResourceTests(TesseraServer server)
{
    private static readonly string NotFoundBody = Compact(new { detail = "Not found." });

    private static async Task<ApiResponse> CreateArticleAsync(HttpClient client, RegisteredUser user, string title = "Title", string body = "Body")
    {
        var r = await client.PostJsonAsync("/api/articles/", new { title, body }, user.Bearer);
        Assert.True(r.Status == 201, r.ToString());
        return r;
    }

    private static async Task<long> CreateTaskAsync(HttpClient client, RegisteredUser user, string title = "Task")
    {
        var r = await client.PostJsonAsync("/api/tasks/", new { title }, user.Bearer);
        Assert.True(r.Status == 201, r.ToString());
        return r.Json.GetProperty("id").GetInt64();
    }

    // ---- articles ----

    [Fact]
    public async Task Created_article_has_the_caller_as_author()
    {
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();

        var r = await client.PostJsonAsync("/api/articles/", new { title = "Hello", body = "World" }, user.Bearer);

        Assert.True(r.Status == 201, r.ToString());
        Assert.Equal(["author", "body", "id", "title"], r.Json.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(JsonValueKind.Number, r.Json.GetProperty("id").ValueKind);
        Assert.Equal("Hello", r.Str("title"));
        Assert.Equal("World", r.Str("body"));
        Assert.Equal(user.Username, r.Str("author"));
        var get = await client.GetJsonAsync($"/api/articles/{r.Json.GetProperty("id").GetInt64()}/", user.Bearer);
        Assert.Equal(r.Compact(), get.Compact());
    }

    [Fact]
    public async Task Author_is_read_only()
    {
        var user = await server.RegisterAsync();
        var other = await server.RegisterAsync();
        using var client = server.CreateClient();

        var r = await client.PostJsonAsync("/api/articles/", new { title = "Mine", body = "", author = other.Username }, user.Bearer);
        Assert.True(r.Status == 201, r.ToString());
        Assert.Equal(user.Username, r.Str("author"));
        var id = r.Json.GetProperty("id").GetInt64();

        var patch = await client.SendJsonAsync(HttpMethod.Patch, $"/api/articles/{id}/", new { author = other.Username }, user.Bearer);
        Assert.True(patch.Status == 200, patch.ToString());
        Assert.Equal(user.Username, patch.Str("author"));
        // And the other user still cannot change it.
        Assert.Equal(403, (await client.SendJsonAsync(HttpMethod.Patch, $"/api/articles/{id}/", new { title = "x" }, other.Bearer)).Status);
    }

    [Fact]
    public async Task List_is_an_array_that_includes_everyones_articles()
    {
        var a = await server.RegisterAsync();
        var b = await server.RegisterAsync();
        using var client = server.CreateClient();
        var mine = await CreateArticleAsync(client, a, "by a");
        var theirs = await CreateArticleAsync(client, b, "by b");

        var r = await client.GetJsonAsync("/api/articles/", a.Bearer);

        Assert.True(r.Status == 200, r.ToString());
        Assert.Equal(JsonValueKind.Array, r.Json.ValueKind);
        var ids = r.Json.EnumerateArray().Select(e => e.GetProperty("id").GetInt64()).ToList();
        Assert.Contains(mine.Json.GetProperty("id").GetInt64(), ids);
        Assert.Contains(theirs.Json.GetProperty("id").GetInt64(), ids);
        var listed = r.Json.EnumerateArray().Single(e => e.GetProperty("id").GetInt64() == theirs.Json.GetProperty("id").GetInt64());
        Assert.Equal(b.Username, listed.GetProperty("author").GetString());
    }

    [Fact]
    public async Task Anyone_authenticated_reads_but_only_the_author_writes()
    {
        var owner = await server.RegisterAsync();
        var other = await server.RegisterAsync();
        using var client = server.CreateClient();
        var created = await CreateArticleAsync(client, owner, "Original", "Text");
        var path = $"/api/articles/{created.Json.GetProperty("id").GetInt64()}/";

        var read = await client.GetJsonAsync(path, other.Bearer);
        var put = await client.SendJsonAsync(HttpMethod.Put, path, new { title = "Hijack", body = "x" }, other.Bearer);
        var patch = await client.SendJsonAsync(HttpMethod.Patch, path, new { title = "Hijack" }, other.Bearer);
        var delete = await client.SendJsonAsync(HttpMethod.Delete, path, auth: other.Bearer);

        Assert.True(read.Status == 200, read.ToString());
        foreach (var r in new[] { put, patch, delete })
        {
            Assert.True(r.Status == 403, r.ToString());
            Assert.Equal(Compact(new { detail = PermissionDenied }), r.Compact());
        }
        var after = await client.GetJsonAsync(path, owner.Bearer);
        Assert.Equal(created.Compact(), after.Compact());
    }

    [Fact]
    public async Task Owner_patches_and_puts()
    {
        var owner = await server.RegisterAsync();
        using var client = server.CreateClient();
        var created = await CreateArticleAsync(client, owner, "Original", "Text");
        var id = created.Json.GetProperty("id").GetInt64();
        var path = $"/api/articles/{id}/";

        var patch = await client.SendJsonAsync(HttpMethod.Patch, path, new { title = "Patched" }, owner.Bearer);
        Assert.True(patch.Status == 200, patch.ToString());
        Assert.Equal(Compact(new { id, title = "Patched", body = "Text", author = owner.Username }), patch.Compact());

        var put = await client.SendJsonAsync(HttpMethod.Put, path, new { title = "Put", body = "New body" }, owner.Bearer);
        Assert.True(put.Status == 200, put.ToString());
        Assert.Equal(Compact(new { id, title = "Put", body = "New body", author = owner.Username }), put.Compact());
        Assert.Equal(put.Compact(), (await client.GetJsonAsync(path, owner.Bearer)).Compact());
    }

    [Fact]
    public async Task Put_requires_the_title_and_patch_does_not()
    {
        var owner = await server.RegisterAsync();
        using var client = server.CreateClient();
        var created = await CreateArticleAsync(client, owner);
        var path = $"/api/articles/{created.Json.GetProperty("id").GetInt64()}/";

        var put = await client.SendJsonAsync(HttpMethod.Put, path, new { body = "only body" }, owner.Bearer);
        var patch = await client.SendJsonAsync(HttpMethod.Patch, path, new { body = "only body" }, owner.Bearer);

        Assert.True(put.Status == 400, put.ToString());
        Assert.Equal(Compact(new { title = new[] { "This field is required." } }), put.Compact());
        Assert.True(patch.Status == 200, patch.ToString());
        Assert.Equal("Title", patch.Str("title"));
    }

    [Fact]
    public async Task Delete_answers_204_then_the_article_is_gone()
    {
        var owner = await server.RegisterAsync();
        using var client = server.CreateClient();
        var created = await CreateArticleAsync(client, owner);
        var path = $"/api/articles/{created.Json.GetProperty("id").GetInt64()}/";

        var delete = await client.SendJsonAsync(HttpMethod.Delete, path, auth: owner.Bearer);
        var get = await client.GetJsonAsync(path, owner.Bearer);
        var again = await client.SendJsonAsync(HttpMethod.Delete, path, auth: owner.Bearer);

        Assert.True(delete.Status == 204, delete.ToString());
        Assert.Equal("", delete.Raw);
        Assert.True(get.Status == 404, get.ToString());
        Assert.Equal(NotFoundBody, get.Compact());
        Assert.True(again.Status == 404, again.ToString());
    }

    [Fact]
    public async Task Create_validates_the_title()
    {
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();

        var missing = await client.PostJsonAsync("/api/articles/", new { body = "no title" }, user.Bearer);
        var blank = await client.PostJsonAsync("/api/articles/", new { title = "  ", body = "x" }, user.Bearer);
        var tooLong = await client.PostJsonAsync("/api/articles/", new { title = new string('t', 201) }, user.Bearer);
        var maxLength = await client.PostJsonAsync("/api/articles/", new { title = new string('t', 200) }, user.Bearer);

        Assert.True(missing.Status == 400, missing.ToString());
        Assert.Equal(Compact(new { title = new[] { "This field is required." } }), missing.Compact());
        Assert.True(blank.Status == 400, blank.ToString());
        Assert.Equal(Compact(new { title = new[] { "This field may not be blank." } }), blank.Compact());
        Assert.True(tooLong.Status == 400, tooLong.ToString());
        Assert.Equal(Compact(new { title = new[] { "Ensure this field has no more than 200 characters." } }), tooLong.Compact());
        Assert.True(maxLength.Status == 201, maxLength.ToString());
        Assert.Equal("", maxLength.Str("body"));
    }

    [Fact]
    public async Task Non_ascii_text_round_trips()
    {
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();

        var r = await client.PostJsonAsync("/api/articles/", new { title = "Ünïcødé 🚀 标题", body = "  keeps  spaces  " }, user.Bearer);

        Assert.True(r.Status == 201, r.ToString());
        Assert.Equal("Ünïcødé 🚀 标题", r.Str("title"));
        Assert.Equal("  keeps  spaces  ", r.Str("body"));
    }

    [Fact]
    public async Task Anonymous_requests_are_challenged()
    {
        using var client = server.CreateClient();

        var list = await client.GetJsonAsync("/api/articles/");
        var create = await client.PostJsonAsync("/api/articles/", new { title = "x" });
        var tasks = await client.GetJsonAsync("/api/tasks/");
        var detail = await client.GetJsonAsync("/api/tasks/1/");

        foreach (var r in new[] { list, create, tasks, detail })
        {
            Assert.True(r.Status == 401, r.ToString());
            Assert.Equal(Compact(new { detail = NotProvided }), r.Compact());
            Assert.Equal(BearerRealm, r.WwwAuthenticate());
        }
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("99999999999999999999")]
    [InlineData("-1")]
    [InlineData("0")]
    [InlineData("1.0")]
    [InlineData("%20")]
    public async Task Odd_ids_are_not_found(string id)
    {
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();

        foreach (var resource in new[] { "articles", "tasks" })
        {
            var get = await client.GetJsonAsync($"/api/{resource}/{id}/", user.Bearer);
            var patch = await client.SendJsonAsync(HttpMethod.Patch, $"/api/{resource}/{id}/", new { title = "x" }, user.Bearer);
            var delete = await client.SendJsonAsync(HttpMethod.Delete, $"/api/{resource}/{id}/", auth: user.Bearer);
            foreach (var r in new[] { get, patch, delete })
            {
                Assert.True(r.Status == 404, $"{resource}/{id}: {r}");
                Assert.Equal(NotFoundBody, r.Compact());
            }
        }
    }

    [Fact]
    public async Task Missing_article_is_404_before_permission()
    {
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();

        var r = await client.SendJsonAsync(HttpMethod.Put, "/api/articles/999999999/", new { title = "x" }, user.Bearer);

        Assert.True(r.Status == 404, r.ToString());
        Assert.Equal(NotFoundBody, r.Compact());
    }

    // ---- tasks ----

    [Fact]
    public async Task Task_is_created_not_done_by_default()
    {
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();

        var r = await client.PostJsonAsync("/api/tasks/", new { title = "Write tests" }, user.Bearer);

        Assert.True(r.Status == 201, r.ToString());
        var id = r.Json.GetProperty("id").GetInt64();
        Assert.Equal(Compact(new { id, title = "Write tests", done = false }), r.Compact());
    }

    [Fact]
    public async Task Tasks_list_only_the_callers_own()
    {
        var a = await server.RegisterAsync();
        var b = await server.RegisterAsync();
        using var client = server.CreateClient();
        var a1 = await CreateTaskAsync(client, a, "a1");
        var a2 = await CreateTaskAsync(client, a, "a2");
        await CreateTaskAsync(client, b, "b1");

        var r = await client.GetJsonAsync("/api/tasks/", a.Bearer);

        Assert.True(r.Status == 200, r.ToString());
        Assert.Equal(JsonValueKind.Array, r.Json.ValueKind);
        Assert.Equal([a1, a2], r.Json.EnumerateArray().Select(e => e.GetProperty("id").GetInt64()));
        Assert.Equal(["a1", "a2"], r.Json.EnumerateArray().Select(e => e.GetProperty("title").GetString()));
        var empty = await client.GetJsonAsync("/api/tasks/", (await server.RegisterAsync()).Bearer);
        Assert.Equal("[]", empty.Compact());
    }

    [Fact]
    public async Task Another_users_task_does_not_exist_for_me()
    {
        var owner = await server.RegisterAsync();
        var other = await server.RegisterAsync();
        using var client = server.CreateClient();
        var id = await CreateTaskAsync(client, owner, "private");
        var path = $"/api/tasks/{id}/";

        var get = await client.GetJsonAsync(path, other.Bearer);
        var patch = await client.SendJsonAsync(HttpMethod.Patch, path, new { done = true }, other.Bearer);
        var put = await client.SendJsonAsync(HttpMethod.Put, path, new { title = "stolen", done = true }, other.Bearer);
        var delete = await client.SendJsonAsync(HttpMethod.Delete, path, auth: other.Bearer);

        foreach (var r in new[] { get, patch, put, delete })
        {
            Assert.True(r.Status == 404, r.ToString());
            Assert.Equal(NotFoundBody, r.Compact());
        }
        var mine = await client.GetJsonAsync(path, owner.Bearer);
        Assert.Equal(Compact(new { id, title = "private", done = false }), mine.Compact());
    }

    [Fact]
    public async Task Owner_updates_and_deletes_a_task()
    {
        var owner = await server.RegisterAsync();
        using var client = server.CreateClient();
        var id = await CreateTaskAsync(client, owner, "t");
        var path = $"/api/tasks/{id}/";

        var patch = await client.SendJsonAsync(HttpMethod.Patch, path, new { done = true }, owner.Bearer);
        Assert.Equal(Compact(new { id, title = "t", done = true }), patch.Compact());
        var title = await client.SendJsonAsync(HttpMethod.Patch, path, new { title = "renamed" }, owner.Bearer);
        Assert.Equal(Compact(new { id, title = "renamed", done = true }), title.Compact());
        var put = await client.SendJsonAsync(HttpMethod.Put, path, new { title = "put", done = false }, owner.Bearer);
        Assert.True(put.Status == 200, put.ToString());
        Assert.Equal(Compact(new { id, title = "put", done = false }), put.Compact());

        var delete = await client.SendJsonAsync(HttpMethod.Delete, path, auth: owner.Bearer);
        Assert.True(delete.Status == 204, delete.ToString());
        Assert.Equal(404, (await client.GetJsonAsync(path, owner.Bearer)).Status);
    }

    [Theory]
    [InlineData("\"maybe\"")]
    [InlineData("2")]
    [InlineData("\"\"")]
    [InlineData("[]")]
    [InlineData("{}")]
    [InlineData("1.0")]
    public async Task Done_must_be_a_boolean(string done)
    {
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();

        var r = await client.SendRawAsync(HttpMethod.Post, "/api/tasks/", $$"""{"title":"t","done":{{done}}}""", "application/json", user.Bearer);

        Assert.True(r.Status == 400, r.ToString());
        Assert.Equal(Compact(new { done = new[] { "Must be a valid boolean." } }), r.Compact());
    }

    [Fact]
    public async Task Done_null_may_not_be_null()
    {
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();

        var r = await client.SendRawAsync(HttpMethod.Post, "/api/tasks/", """{"title":"t","done":null}""", "application/json", user.Bearer);

        Assert.True(r.Status == 400, r.ToString());
        Assert.Equal(Compact(new { done = new[] { "This field may not be null." } }), r.Compact());
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("\"yes\"", true)]
    [InlineData("\"on\"", true)]
    [InlineData("1", true)]
    [InlineData("\"True\"", true)]
    [InlineData("false", false)]
    [InlineData("\"no\"", false)]
    [InlineData("0", false)]
    [InlineData("\"off\"", false)]
    public async Task Done_accepts_DRF_boolean_spellings(string done, bool expected)
    {
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();

        var r = await client.SendRawAsync(HttpMethod.Post, "/api/tasks/", $$"""{"title":"t","done":{{done}}}""", "application/json", user.Bearer);

        Assert.True(r.Status == 201, r.ToString());
        Assert.Equal(expected, r.Json.GetProperty("done").GetBoolean());
    }

    [Fact]
    public async Task Form_encoded_task_with_checkbox_value()
    {
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();

        var r = await client.PostFormAsync("/api/tasks/", [new("title", "from a form"), new("done", "true")], user.Bearer);

        Assert.True(r.Status == 201, r.ToString());
        Assert.True(r.Json.GetProperty("done").GetBoolean());
    }

    [Fact]
    public async Task Deleting_a_user_removes_their_tasks_and_articles()
    {
        var user = await server.RegisterAsync();
        using var client = server.CreateClient();
        var taskId = await CreateTaskAsync(client, user);
        var article = await CreateArticleAsync(client, user);
        var articleId = article.Json.GetProperty("id").GetInt64();
        var reader = await server.RegisterAsync();

        await server.AdministerAsync(a => a.DeleteAsync(user.Username));

        Assert.Equal(404, (await client.GetJsonAsync($"/api/articles/{articleId}/", reader.Bearer)).Status);
        await using var check = server.CreateDbContext();
        Assert.False(await check.Tasks.AnyAsync(t => t.Id == taskId));
    }
}
