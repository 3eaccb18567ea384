using Microsoft.AspNetCore.Authentication;

namespace Tessera.ResourceServer;

/// <summary>
/// Settings of <c>AddTesseraResourceServer</c>: where Tessera is, the API key that reads its
/// revocation stream, and how stale the service may let its memory of revocations become.
/// </summary>
public sealed class TesseraResourceServerOptions : AuthenticationSchemeOptions
{
    /// <summary>The default of <see cref="MaxStaleness"/>.</summary>
    public static readonly TimeSpan DefaultMaxStaleness = TimeSpan.FromSeconds(30);

    public TesseraResourceServerOptions()
    {
        Events = new TesseraResourceServerEvents();
    }

    /// <summary>
    /// Tessera's base URL (<c>https://auth.example</c>). Discovery is read from
    /// <c>{Authority}/.well-known/openid-configuration</c>, revocations from
    /// <c>{Authority}/api/revocations/stream</c>. Required.
    /// </summary>
    public string? Authority { get; set; }

    /// <summary>
    /// An API key of a Tessera staff user with the scope <c>revocations:read</c>, sent as
    /// <c>X-API-Key</c> to the revocation stream. Required: without the stream no token is admitted.
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>When set, tokens must carry this <c>aud</c> (Tessera's <c>Tessera:Jwt:Audience</c>).</summary>
    public string? Audience { get; set; }

    /// <summary>Clock tolerance for <c>exp</c>, <c>nbf</c> and <c>iat</c> (SimpleJWT's LEEWAY; default 0).</summary>
    public TimeSpan Leeway { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// Refuse an <see cref="Authority"/> that is not https (true by default). False is for a
    /// loopback development or test setup only: over plain http anyone on the path could serve keys.
    /// </summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>
    /// How long the service may go without hearing the revocation stream (any line, heartbeats
    /// included: Tessera sends one every 5 s) before it stops admitting tokens and answers 503.
    /// Default 30 s. Null (or <see cref="Timeout.InfiniteTimeSpan"/>) admits from stale memory for as
    /// long as the stream is away: the service stays up while Tessera is down, at the price of
    /// admitting tokens revoked meanwhile until they expire (15 minutes by default).
    /// </summary>
    public TimeSpan? MaxStaleness { get; set; } = DefaultMaxStaleness;

    /// <summary>
    /// The shortest time between two JWKS fetches caused by tokens naming an unknown <c>kid</c>
    /// (default 30 s), so that a flood of forged kids costs Tessera at most one request per period.
    /// </summary>
    public TimeSpan KeyRefreshCooldown { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How often the JWKS is fetched anyway (default 1 h: Tessera's JWKS max-age; it publishes a new
    /// key a day before the key signs, so a token never names a key the service has not fetched).
    /// </summary>
    public TimeSpan KeyRefreshInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The first wait before reconnecting to the stream (default 250 ms); doubled per failure.</summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The longest wait between two reconnection attempts (default 5 s).</summary>
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A stream that sends nothing for this long (no event, no heartbeat) is taken for dead and
    /// reconnected (default 15 s: three of Tessera's heartbeats).
    /// </summary>
    public TimeSpan StreamIdleTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The longest wait for discovery or the JWKS (default 10 s).</summary>
    public TimeSpan BackchannelTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Hooks on a validated token and on the challenge.</summary>
    public new TesseraResourceServerEvents Events
    {
        get => (TesseraResourceServerEvents)base.Events!;
        set => base.Events = value;
    }

    /// <summary>True when <see cref="MaxStaleness"/> bounds how stale the revocation memory may be.</summary>
    internal bool HasStalenessBound => MaxStaleness is { } bound && bound != Timeout.InfiniteTimeSpan;

    /// <summary>Checks the settings; throws <see cref="InvalidOperationException"/> naming every problem.</summary>
    public override void Validate()
    {
        base.Validate();
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(Authority))
            problems.Add($"{nameof(Authority)} is required: Tessera's base URL, e.g. https://auth.example.");
        else if (!Uri.TryCreate(Authority, UriKind.Absolute, out var authority) || authority.Scheme is not ("https" or "http"))
            problems.Add($"{nameof(Authority)} must be an absolute http(s) URL; it is '{Authority}'.");
        else if (RequireHttpsMetadata && authority.Scheme != "https")
            problems.Add($"{nameof(Authority)} must use https unless {nameof(RequireHttpsMetadata)} is false (loopback tests only).");
        if (string.IsNullOrWhiteSpace(ApiKey))
            problems.Add($"{nameof(ApiKey)} is required: an API key with the scope revocations:read (POST /api/api-key/ {{\"scopes\": [\"revocations:read\"]}} as a staff user).");
        if (Leeway < TimeSpan.Zero)
            problems.Add($"{nameof(Leeway)} must not be negative; it is {Leeway}.");
        if (MaxStaleness is { } staleness && staleness != Timeout.InfiniteTimeSpan && staleness <= TimeSpan.Zero)
            problems.Add($"{nameof(MaxStaleness)} must be positive, or null for no bound; it is {staleness}.");
        CheckPositive(problems, nameof(KeyRefreshCooldown), KeyRefreshCooldown);
        CheckPositive(problems, nameof(KeyRefreshInterval), KeyRefreshInterval);
        CheckPositive(problems, nameof(ReconnectDelay), ReconnectDelay);
        CheckPositive(problems, nameof(StreamIdleTimeout), StreamIdleTimeout);
        CheckPositive(problems, nameof(BackchannelTimeout), BackchannelTimeout);
        if (MaxReconnectDelay < ReconnectDelay)
            problems.Add($"{nameof(MaxReconnectDelay)} must be at least {nameof(ReconnectDelay)}; it is {MaxReconnectDelay}.");
        if (problems.Count > 0)
            throw new InvalidOperationException("Tessera resource server: " + string.Join(" ", problems));
    }

    private static void CheckPositive(List<string> problems, string name, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
            problems.Add($"{name} must be positive; it is {value}.");
    }
}
