using System.Data.Common;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Tessera.Server.Tests.Infrastructure;

/// <summary>
/// Counts the database commands issued while a request is being served (background work, such as
/// the feed's poll, is not a request's cost): the hot-path tests' measure of "no database round trip".
/// </summary>
internal sealed class RequestCommandCounter : DbCommandInterceptor
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
