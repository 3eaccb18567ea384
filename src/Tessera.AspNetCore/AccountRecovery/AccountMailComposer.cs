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
/// answer (the endpoint answered before this ran). A fault (the database down) loses that one
/// request, logged; the user may ask again.
/// </summary>
public sealed class AccountMailComposer(
    AccountMailRequests requests,
    MailQueue mail,
    AccountMessages messages,
    PurposeTokenService tokens,
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
                // Django's PasswordResetForm.get_users: active accounts with a usable password.
                foreach (var user in await users.FindByEmailAsync(reset.Email, cancellationToken).ConfigureAwait(false))
                    if (user.IsActive && HasUsablePassword(user) && SameAddress(user.Email, reset.Email))
                        Queue(user, "password reset", messages.PasswordReset(user,
                            tokens.Issue(TokenPurpose.PasswordReset, user, settings.PasswordResetTokenLifetime), settings.PasswordResetTokenLifetime));
                break;
            case VerificationRequested verify:
                if (await users.FindByIdAsync(verify.UserId, cancellationToken).ConfigureAwait(false) is { } one && NeedsVerifying(one))
                    QueueVerification(one, settings);
                break;
            case VerificationRequestedByEmail byEmail:
                foreach (var user in await users.FindByEmailAsync(byEmail.Email, cancellationToken).ConfigureAwait(false))
                    if (NeedsVerifying(user) && SameAddress(user.Email, byEmail.Email))
                        QueueVerification(user, settings);
                break;
        }
    }

    private void QueueVerification(User user, AuthOptions settings)
        => Queue(user, "email verification", messages.EmailVerification(user,
            tokens.Issue(TokenPurpose.EmailVerification, user, settings.EmailVerificationTokenLifetime), settings.EmailVerificationTokenLifetime));

    private void Queue(User user, string kind, MimeKit.MimeMessage message)
        => mail.TryEnqueue(new OutgoingMail(message, string.Create(CultureInfo.InvariantCulture, $"{kind} mail for user {user.Id}")));

    private static bool NeedsVerifying(User user) => user.IsActive && !user.EmailVerified && user.Email.Length > 0;

    private static bool HasUsablePassword(User user) => !user.PasswordHash.StartsWith('!');

    // The store compares case-insensitively as SQL's lower() does (ASCII only on SQLite); this is the final word.
    private static bool SameAddress(string stored, string asked) => string.Equals(stored, asked, StringComparison.OrdinalIgnoreCase);
}
