using Tessera.Core.Users;

namespace Tessera.Core.Admission;

public enum AdmissionRejection
{
    None,
    UserNotFound,
    UserInactive,
    /// <summary>The login was revoked (logout, reuse detection), or made before the user revoked everything.</summary>
    LoginRevoked,
    /// <summary>An app's admission rule refused it; <see cref="Admission.Detail"/> says why, in the app's words.</summary>
    RefusedByRule,
}

/// <summary>The gate's answer: the admitted user, or why the request is turned away.</summary>
public readonly record struct Admission(UserSnapshot? User, AdmissionRejection Rejection, string? Detail = null)
{
    public bool IsAdmitted => Rejection == AdmissionRejection.None && User is not null;

    public static Admission Admit(UserSnapshot user) => new(user, AdmissionRejection.None);

    public static Admission Reject(AdmissionRejection why, string? detail = null) => new(null, why, detail);
}
