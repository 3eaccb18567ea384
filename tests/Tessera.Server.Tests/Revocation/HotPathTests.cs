using System.Data.Common;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Revocation;

/// <summary>
/// The promise of the design: a JWT-authenticated request, revocation checks and all, costs no
/// database round trip. An EF Core interceptor counts every command issued while a request is
/// being served (background work, such as reading the revocation feed, is not a request's cost).
/// </summary>
public sealed class HotPathTests : IAsyncLifetime
{
    private readonly TesseraServer _server = new();
    private readonly RequestCommandCounter _counter = new();

    public Task InitializeAsync()
    {
        _server.ConfigureServices = services =>
        {
            services.AddHttpContextAccessor();
            services.AddSingleton<IInterceptor>(sp => _counter.Attach(sp.GetRequiredService<IHttpContextAccessor>()));
        };
        return _server.InitializeAsync();
    }

    public Task DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task A_thousand_jwt_requests_after_warm_up_issue_no_database_command()
    {
        var user = await _server.RegisterAsync();
        using var client = _server.CreateClient();
        // Revocations exist (another login revoked, another user logged out everywhere), so the
        // gate has something to check against.
        var other = await _server.RegisterAsync();
        Assert.Equal(200, (await client.PostJsonAsync("/api/token/blacklist/", new { refresh = other.Refresh })).Status);
        Assert.Equal(204, (await client.PostJsonAsync("/api/token/revoke-all/", null, (await _server.RegisterAsync()).Bearer)).Status);
        Assert.Equal(200, (await client.GetJsonAsync("/api/hello/", user.Bearer)).Status); // warm-up

        // The counter does see a request's commands when there are some:
        _counter.Reset();
        Assert.Equal(200, (await client.GetJsonAsync("/api/tasks/", user.Bearer)).Status);
        Assert.True(_counter.Count > 0, "the counter missed the commands of a request that reads the database");

        _counter.Reset();
        for (var i = 0; i < 1000; i++)
            Assert.Equal(200, (await client.GetJsonAsync("/api/hello/", user.Bearer)).Status);

        Assert.Equal(0, _counter.Count);
    }

    [Fact]
    public async Task Valid_tokens_of_a_deleted_user_and_of_an_unknown_id_cost_no_database_command_per_request()
    {
        var deleted = await _server.RegisterAsync();
        await _server.AdministerAsync(a => a.DeleteAsync(deleted.Username));
        // Signed with the key, naming an id no user has: memory cannot know it is missing until it asks once.
        var unknown = Endpoints.EndpointKit.Sign(Endpoints.EndpointKit.Claims(987_654_321L));
        using var client = _server.CreateClient();
        Assert.Equal(401, (await client.GetJsonAsync("/api/hello/", deleted.Bearer)).Status);
        Assert.Equal(401, (await client.GetJsonAsync("/api/hello/", Endpoints.EndpointKit.Bearer(unknown))).Status);

        _counter.Reset();
        for (var i = 0; i < 500; i++)
        {
            Assert.Equal(401, (await client.GetJsonAsync("/api/hello/", deleted.Bearer)).Status);
            Assert.Equal(401, (await client.GetJsonAsync("/api/hello/", Endpoints.EndpointKit.Bearer(unknown))).Status);
        }

        Assert.Equal(0, _counter.Count);
    }

    private sealed class RequestCommandCounter : DbCommandInterceptor
    {
        private IHttpContextAccessor? _http;
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public RequestCommandCounter Attach(IHttpContextAccessor http)
        {
            _http = http;
            return this;
        }

        public void Reset() => Interlocked.Exchange(ref _count, 0);

        private void Seen()
        {
            if (_http?.HttpContext is not null)
                Interlocked.Increment(ref _count);
        }

        public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
        {
            Seen();
            return result;
        }

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            Seen();
            return ValueTask.FromResult(result);
        }

        public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
        {
            Seen();
            return result;
        }

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            Seen();
            return ValueTask.FromResult(result);
        }

        public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
        {
            Seen();
            return result;
        }

        public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
        {
            Seen();
            return ValueTask.FromResult(result);
        }
    }
}
