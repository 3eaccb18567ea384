namespace Tessera.AspNetCore.Authorization;

/// <summary>Authorization policy names, after DRF's permission classes.</summary>
public static class TesseraPolicies
{
    /// <summary>DRF's IsAdminUser: the user is staff.</summary>
    public const string IsAdminUser = "IsAdminUser";

    /// <summary>The user holds a premium subscription.</summary>
    public const string IsPremium = "IsPremium";
}
