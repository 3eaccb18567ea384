using Microsoft.Extensions.Options;
using Tessera.Core.Admission;

namespace Tessera.AspNetCore.AccountRecovery;

/// <summary>
/// <see cref="AuthOptions.RequireVerifiedEmail"/> on every request of every scheme, on the user's
/// snapshot in memory: an email change (which clears the flag, with an event every instance applies)
/// stops the user's credentials on their next request, with no database read. Left out of the gate
/// when the setting is off.
/// </summary>
internal sealed class VerifiedEmailRule(IOptions<AuthOptions> options) : IAdmissionRule
{
    public const string NotVerified = "Email not verified.";

    public bool IsEnabled { get; } = options.Value.RequireVerifiedEmail;

    public void Check(AdmissionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (IsEnabled && !context.User.EmailVerified)
            context.Refuse(NotVerified);
    }
}
