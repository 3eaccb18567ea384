using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Tessera.Core.Credentials;
using Tessera.Core.RealTime;

namespace Tessera.AspNetCore.RealTime.Tickets;

/// <summary>
/// Keeps query-string credentials (<c>?ticket=</c>, <c>?access_token=</c>) out of every log line.
/// ASP.NET Core's hosting layer logs "Request starting … ?query" (and "Request finished …") from
/// the request's features when it creates the request's context, before any middleware runs, so a
/// middleware is too late. This server wraps the app it serves: each request's query loses those
/// values (replaced by <see cref="Redacted"/>) before the hosting layer sees it, and keeps them in a
/// request feature (<see cref="QueryCredentials"/>) that the ticket and JWT schemes read. A
/// <c>ticket</c> is taken only when it is one of this deployment's (sealed): an app's own
/// <c>?ticket=</c> parameter is left alone. Everything else about the request is untouched.
/// </summary>
internal sealed class QueryCredentialRedactingServer(IServer inner, CredentialSeal seal) : IServer
{
    public const string Redacted = "redacted";

    public IFeatureCollection Features => inner.Features;

    public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken) where TContext : notnull
    {
        return inner.StartAsync(new Application<TContext>(application, seal), cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => inner.StopAsync(cancellationToken);

    public void Dispose() => inner.Dispose();

    private sealed class Application<TContext>(IHttpApplication<TContext> inner, CredentialSeal seal) : IHttpApplication<TContext> where TContext : notnull
    {
        public TContext CreateContext(IFeatureCollection contextFeatures)
        {
            // Most requests carry none, and get no feature: read again, their query would say the same.
            if (contextFeatures.Get<IHttpRequestFeature>() is { } request && Take(request.QueryString, seal) is (var query, { } taken))
            {
                request.QueryString = query;
                contextFeatures.Set(taken);
            }
            return inner.CreateContext(contextFeatures);
        }

        public Task ProcessRequestAsync(TContext context) => inner.ProcessRequestAsync(context);

        public void DisposeContext(TContext context, Exception? exception) => inner.DisposeContext(context, exception);
    }

    /// <summary>The query without its credentials, and the credentials; (the query, null) when it has none.</summary>
    internal static (string Query, QueryCredentials? Taken) Take(string? queryString, CredentialSeal seal)
    {
        if (string.IsNullOrEmpty(queryString) || !MayCarry(queryString))
            return (queryString ?? "", null);
        string? ticket = null, accessToken = null;
        var rebuilt = new StringBuilder(queryString.Length);
        var changed = false;
        foreach (var pair in queryString.TrimStart('?').Split('&'))
        {
            var equals = pair.IndexOf('=');
            var name = Decode(equals < 0 ? pair : pair[..equals]);
            var value = equals < 0 ? "" : Decode(pair[(equals + 1)..]);
            var keep = pair;
            if (name.Equals(QueryCredentials.AccessTokenParameter, StringComparison.OrdinalIgnoreCase))
            {
                accessToken ??= value;
                keep = QueryCredentials.AccessTokenParameter + "=" + Redacted;
            }
            else if (name.Equals(QueryCredentials.TicketParameter, StringComparison.OrdinalIgnoreCase) && RealTimeTicketKeys.IsOurs(seal, value))
            {
                ticket ??= value;
                keep = QueryCredentials.TicketParameter + "=" + Redacted;
            }
            changed |= !ReferenceEquals(keep, pair);
            rebuilt.Append(rebuilt.Length == 0 ? '?' : '&').Append(keep);
        }
        return changed ? (rebuilt.ToString(), new QueryCredentials(ticket, accessToken)) : (queryString, null);
    }

    /// <summary>Cheap, for every request: could any parameter be one of ours (by name, or escaped)?</summary>
    private static bool MayCarry(string query)
        => query.Contains('%') || query.Contains("access_token", StringComparison.OrdinalIgnoreCase) || query.Contains("ticket", StringComparison.OrdinalIgnoreCase);

    /// <summary>As the query collection decodes: '+' is a space, then %-escapes.</summary>
    private static string Decode(string text)
    {
        if (!text.Contains('%') && !text.Contains('+'))
            return text;
        try
        {
            return Uri.UnescapeDataString(text.Replace('+', ' '));
        }
        catch (UriFormatException)
        {
            return text;
        }
    }
}
