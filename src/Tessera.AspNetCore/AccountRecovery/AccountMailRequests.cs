using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tessera.AspNetCore.Email;

namespace Tessera.AspNetCore.AccountRecovery;

/// <summary>What an endpoint asks to be mailed; <see cref="AccountMailComposer"/> looks the accounts up and writes the mail.</summary>
public abstract record AccountMailRequest;

/// <summary>A password reset for every active account with this email (none, one or several: the endpoint cannot tell).</summary>
public sealed record PasswordResetRequested(string Email) : AccountMailRequest;

/// <summary>An email verification for this user's current email.</summary>
public sealed record VerificationRequested(long UserId) : AccountMailRequest;

/// <summary>An email verification for every active, unverified account with this email (a user who cannot sign in yet).</summary>
public sealed record VerificationRequestedByEmail(string Email) : AccountMailRequest;

/// <summary>
/// The bounded queue between the endpoints and <see cref="AccountMailComposer"/>. The endpoints
/// only put the request here, the same for an email that has accounts and one that has none, so the
/// answer takes the same time either way: the lookups, tokens and mail happen off the request
/// path. When it is full the request is dropped with a warning (the endpoint answers as always).
/// </summary>
public sealed class AccountMailRequests
{
    private readonly Channel<AccountMailRequest> _channel;
    private readonly ILogger<AccountMailRequests> _logger;
    private readonly int _capacity;

    public AccountMailRequests(IOptions<EmailOptions> options, ILogger<AccountMailRequests> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _capacity = options.Value.QueueCapacity;
        _logger = logger;
        _channel = Channel.CreateBounded<AccountMailRequest>(new BoundedChannelOptions(_capacity)
        {
            FullMode = BoundedChannelFullMode.Wait, // TryWrite answers false rather than dropping an older request
            SingleReader = true,
        });
    }

    public bool TryEnqueue(AccountMailRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_channel.Writer.TryWrite(request))
            return true;
        _logger.LogWarning("The account mail queue is full ({Capacity} requests waiting): a {Request} was dropped", _capacity, request.GetType().Name);
        return false;
    }

    internal ChannelReader<AccountMailRequest> Reader => _channel.Reader;
}
