using Tessera.AspNetCore.Authentication;

namespace Tessera.AspNetCore.RealTime.Tickets;

/// <summary>The ticket scheme's challenge: a refused ticket answers 401 <c>WWW-Authenticate: Ticket realm="api"</c>.</summary>
internal sealed class RealTimeTicketAuthenticationOptions : CredentialSchemeOptions
{
    public override string? ChallengeKeyword => "Ticket";
}
