namespace Tessera.Core.Passwords;

/// <summary>
/// Thrown (through the returned task) by <see cref="PasswordHashingPool"/> when its queue is full:
/// the server is saturated with password work. The web layer answers 503 with <c>Retry-After</c>.
/// </summary>
public sealed class PasswordHashingBusyException : Exception
{
    /// <summary>Creates the exception with the default message.</summary>
    public PasswordHashingBusyException()
        : base("The password hashing queue is full; try again later.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public PasswordHashingBusyException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public PasswordHashingBusyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
