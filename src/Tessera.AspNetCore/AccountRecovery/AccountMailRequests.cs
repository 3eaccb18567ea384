using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tessera.AspNetCore.Email;
using Tessera.AspNetCore.Hosting;

namespace Tessera.AspNetCore.AccountRecovery;

/// <summary>What an endpoint asks to be mailed; <see cref="AccountMailComposer"/> looks the accounts up and writes the mail.</summary>
internal abstract record AccountMailRequest;

/// <summary>A password reset for every active account with this email (none, one or several: the endpoint cannot tell).</summary>
internal sealed record PasswordResetRequested(string Email) : AccountMailRequest;

/// <summary>
/// An email verification for this user, to <paramref name="Email"/> if that is still the user's
/// email when the mail is composed (a later change asks for its own).
/// </summary>
internal sealed record VerificationRequested(long UserId, string Email) : AccountMailRequest;

/// <summary>Tells <paramref name="PreviousEmail"/> that it is no longer this user's email (no token, no new address).</summary>
internal sealed record EmailChangeNoticeRequested(long UserId, string PreviousEmail) : AccountMailRequest;

/// <summary>An email verification for every active, unverified account with this email (a user who cannot sign in yet).</summary>
internal sealed record VerificationRequestedByEmail(string Email) : AccountMailRequest;

/// <summary>
/// The bounded queue between the endpoints and <see cref="AccountMailComposer"/>. The endpoints
/// only put the request here, the same for an email that has accounts and one that has none, so the
/// answer takes the same time either way: the lookups, tokens and mail happen off the request
/// path. When it is full the request is dropped with a warning (the endpoint answers as always).
/// </summary>
internal sealed class AccountMailRequests(IOptions<EmailOptions> options, ILogger<AccountMailRequests> logger)
    : BoundedQueue<AccountMailRequest>((options ?? throw new ArgumentNullException(nameof(options))).Value.QueueCapacity, logger)
{
    protected override string QueueName => "account mail queue";

    protected override string Describe(AccountMailRequest item) => "a " + item.GetType().Name;
}
