using System.Security.Cryptography;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tessera.Core.Jwt;

namespace Tessera.AspNetCore.Jwt;

/// <summary>
/// In Development only, a missing signing key is made up: random (a CSPRNG, never a well-known
/// default) and kept in a file beside the app so tokens survive a restart. Everywhere else a missing
/// key stays a start-up error. The file lives in the working directory, beside the default database.
/// </summary>
internal sealed class DevelopmentSigningKey(IHostEnvironment environment, ILogger<DevelopmentSigningKey> logger) : IPostConfigureOptions<JwtOptions>
{
    public const string FileName = "tessera-development-signing.key";

    public void PostConfigure(string? name, JwtOptions options)
    {
        if (!environment.IsDevelopment() || !string.IsNullOrEmpty(options.SigningKey))
            return;
        var path = Path.Combine(Directory.GetCurrentDirectory(), FileName);
        if (!File.Exists(path))
        {
            File.WriteAllText(path, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)));
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            logger.LogWarning("No Tessera:Jwt:SigningKey configured: generated a development key in {Path}", path);
        }
        options.SigningKey = File.ReadAllText(path).Trim();
    }
}
