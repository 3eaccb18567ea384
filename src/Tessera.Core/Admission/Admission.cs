using Tessera.Core.Users;

namespace Tessera.Core.Admission;

public enum AdmissionRejection
{
    None,
    UserNotFound,
    UserInactive,
    /// <summary>The login was revoked (logout, reuse detection), or made before the user revoked everything.</summary>
    LoginRevoked,
}

/// <summary>The gate's answer: the admitted user, or why the request is turned away.</summary>
public readonly record struct Admission(UserSnapshot? User, AdmissionRejection Rejection)
{
    public bool IsAdmitted => Rejection == AdmissionRejection.None && User is not null;

    public static Admission Admit(UserSnapshot user) => new(user, AdmissionRejection.None);

    public static Admission Reject(AdmissionRejection why) => new(null, why);
}
