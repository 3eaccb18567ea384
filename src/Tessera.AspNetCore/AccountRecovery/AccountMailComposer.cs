using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tessera.AspNetCore.Email;
using Tessera.Core.PurposeTokens;
using Tessera.Core.Users;

namespace Tessera.AspNetCore.AccountRecovery;

/// <summary>
/// Turns <see cref="AccountMailRequests"/> into mail, off the request path: looks the accounts up,
/// mints each one's purpose token for its current state, and queues the message on
/// <see cref="MailQueue"/>. An email with no account gets nothing, and nobody can tell from the
/// answer (the endpoint answered before this ran). Every verification mail, whoever asked for it,
/// takes one from its address's allowance (<see cref="TargetEmailThrottle.VerificationScope"/>) here,
/// where the address is known. A fault (the database down) loses that one request, logged; the user
/// may ask again.
/// </summary>
internal sealed class AccountMailComposer(
    AccountMailRequests requests,
    MailQueue mail,
    AccountMessages messages,
    PurposeTokenService tokens,
    TargetEmailThrottle throttle,
    IOptions<AuthOptions> options,
    IServiceScopeFactory scopes,
    ILogger<AccountMailComposer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var request in requests.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await ComposeAsync(request, stoppingToken).ConfigureAwait(false);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogError(e, "A {Request} could not be composed and is dropped", request.GetType().Name);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task ComposeAsync(AccountMailRequest request, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<IUserStore>();
        var settings = options.Value;
        switch (request)
        {
            case PasswordResetRequested reset:
                // Django's PasswordResetForm.get_users: active accounts with a usable password; and not
                // to an address an email change set that nobody has proven (anyone signed in could set it).
                // An account without a password (made by an external sign-in) gets its first one this way,
                // to an address proven by its owner or its provider.
                foreach (var user in await users.FindByEmailAsync(reset.Email, cancellationToken).ConfigureAwait(false))
                    if (user.IsActive && (user.HasUsablePassword || user.EmailVerified) && user.EmailMayReceiveReset && UserNormalization.SameAddress(user.Email, reset.Email))
                        Queue(user, "password reset", messages.PasswordReset(user,
                            tokens.Issue(TokenPurpose.PasswordReset, user, settings.PasswordResetTokenLifetime), settings.PasswordResetTokenLifetime));
                break;
            case VerificationRequested verify:
                if (await users.FindByIdAsync(verify.UserId, cancellationToken).ConfigureAwait(false) is { } one
                    && NeedsVerifying(one) && UserNormalization.SameAddress(one.Email, verify.Email))
                    await QueueVerificationAsync(one, settings, cancellationToken).ConfigureAwait(false);
                break;
            case VerificationRequestedByEmail byEmail:
                foreach (var user in await users.FindByEmailAsync(byEmail.Email, cancellationToken).ConfigureAwait(false))
                    if (NeedsVerifying(user) && UserNormalization.SameAddress(user.Email, byEmail.Email))
                        await QueueVerificationAsync(user, settings, cancellationToken).ConfigureAwait(false);
                break;
            case EmailChangeNoticeRequested notice:
                if (await users.FindByIdAsync(notice.UserId, cancellationToken).ConfigureAwait(false) is { } changed)
                    Queue(changed, "email change notice", messages.EmailChanged(changed, notice.PreviousEmail));
                break;
        }
    }

    private async Task QueueVerificationAsync(User user, AuthOptions settings, CancellationToken cancellationToken)
    {
        if (!await throttle.TryAcquireAsync(TargetEmailThrottle.VerificationScope, user.Email, cancellationToken).ConfigureAwait(false))
        {
            logger.LogInformation("Email verification mail for user {UserId} not sent: its address is over {Scope}", user.Id, TargetEmailThrottle.VerificationScope);
            return;
        }
        Queue(user, "email verification", messages.EmailVerification(user,
            tokens.Issue(TokenPurpose.EmailVerification, user, settings.EmailVerificationTokenLifetime), settings.EmailVerificationTokenLifetime));
    }

    private void Queue(User user, string kind, MimeKit.MimeMessage message)
        => mail.TryEnqueue(new OutgoingMail(message, string.Create(CultureInfo.InvariantCulture, $"{kind} mail for user {user.Id}")));

    private static bool NeedsVerifying(User user) => user.IsActive && !user.EmailVerified && user.Email.Length > 0;
}
