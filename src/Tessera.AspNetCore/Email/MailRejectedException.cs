namespace Tessera.AspNetCore.Email;

/// <summary>
/// Thrown by an <see cref="IMailTransport"/> when the mail server refused this message (its recipient
/// or its content), not the connection: the messages behind it may still go.
/// <see cref="MailDeliveryService"/> gives a <see cref="IsPermanent"/> refusal up at once (SMTP 5xx:
/// no such mailbox, content refused) and tries a temporary one (4xx: greylisting, a full mailbox)
/// again later, sending the others meanwhile. Any other exception means the transport failed
/// (server down, authentication, timeout): the same message is tried again, the others wait.
/// </summary>
public sealed class MailRejectedException : Exception
{
    public MailRejectedException(string message, bool isPermanent, Exception? innerException = null)
        : base(message, innerException)
        => IsPermanent = isPermanent;

    /// <summary>True when sending it again cannot succeed (SMTP 5xx).</summary>
    public bool IsPermanent { get; }
}
