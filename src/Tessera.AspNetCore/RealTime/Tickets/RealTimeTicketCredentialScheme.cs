using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Tessera.AspNetCore.Authentication;
using Tessera.Core.RealTime;

namespace Tessera.AspNetCore.RealTime.Tickets;

/// <summary>
/// <c>?ticket=</c> from <c>POST /api/ws-ticket/</c>, on real-time endpoints only
/// (<see cref="RealTimeEndpointMetadata"/>; the query is not looked at elsewhere): the ticket is taken
/// (single use) and stands for the proof of the login that asked for it, which the gate then admits
/// or refuses as that login's own credential.
/// </summary>
/// <remarks>
/// Redeeming is one database write per connection (the ticket's delete), where every other request
/// is admitted from memory: a ticket opens a long-lived connection, once.
/// </remarks>
internal sealed class RealTimeTicketCredentialScheme(IOptionsMonitor<RealTimeTicketAuthenticationOptions> options)
    : CredentialScheme<RealTimeTicketAuthenticationOptions>(TesseraSchemes.Ticket, options)
{
    private static readonly AuthFailure Invalid = AuthFailure.Detail("Invalid or expired ticket.", "ticket_not_valid", RefusalReason.InvalidCredentials);

    private static readonly AuthFailure LoginEnded = Invalid with { Reason = RefusalReason.LoginRevoked };
    private static readonly AuthFailure UserInactive = Invalid with { Reason = RefusalReason.UserInactive };
    private static readonly AuthFailure UserNotFound = Invalid with { Reason = RefusalReason.UserNotFound };

    public override bool CouldCarry(HttpRequest request) => QueryCredentials.TicketOf(request) is not null;

    public override async ValueTask<ProofResult> ProveAsync(HttpContext context)
    {
        if (QueryCredentials.TicketOf(context.Request) is not { } key)
            return ProofResult.NoCredentials;
        var issuer = context.RequestServices.GetRequiredService<RealTimeTicketIssuer>();
        var proof = await issuer.RedeemAsync(key, context.RequestAborted).ConfigureAwait(false);
        return proof is null ? ProofResult.Fail(Invalid) : ProofResult.Proven(proof);
    }

    /// <summary>The same words as an unknown ticket: whether its login ended, or its user left, is the log's.</summary>
    public override AuthFailure DescribeRejection(Core.Admission.AdmissionRejection rejection) => rejection switch
    {
        Core.Admission.AdmissionRejection.LoginRevoked => LoginEnded,
        Core.Admission.AdmissionRejection.UserInactive => UserInactive,
        _ => UserNotFound,
    };
}
