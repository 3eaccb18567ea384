using System.CommandLine;
using Tessera.Core.SigningKeys;

namespace Tessera.Server.Cli;

/// <summary>
/// <c>tessera keys list | rotate [--now] | retire KID</c>: the signing key ring of RS256, ES256 or
/// EdDSA, on the database a running server reads. A rotation is read by every instance within
/// <c>Tessera:SigningKeys:RefreshInterval</c>; a retirement is an admission change, heard at once.
/// </summary>
public static class KeysCommand
{
    public static Command Create()
    {
        var keys = new Command("keys", "the signing key ring (Tessera:Jwt:Algorithm RS256, ES256 or EdDSA): list, rotate, retire");

        var list = new Command("list", "every key: kid, algorithm, generation, created, signs from, expires, state (next, signing, published, retired, expired)")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        list.SetAction((result, _) => ListAsync([.. result.UnmatchedTokens]));
        keys.Subcommands.Add(list);

        var now = new Option<bool>("--now") { Description = "sign with the new key at once, not after Tessera:SigningKeys:PublishAhead (verifiers that cached the JWKS meet an unknown kid until they fetch it again)" };
        var rotate = new Command("rotate", "make the next generation now: published at once, signing after Tessera:SigningKeys:PublishAhead") { now };
        rotate.TreatUnmatchedTokensAsErrors = false;
        rotate.SetAction((result, _) => RotateAsync(result.GetValue(now), [.. result.UnmatchedTokens]));
        keys.Subcommands.Add(rotate);

        var kid = new Argument<string>("KID") { Description = "the key's kid (tessera keys list)" };
        var retire = new Command("retire", "a compromised key: every token it signed is refused at once on every instance, and it leaves the JWKS") { kid };
        retire.TreatUnmatchedTokensAsErrors = false;
        retire.SetAction((result, _) => RetireAsync(result.GetValue(kid)!, [.. result.UnmatchedTokens]));
        keys.Subcommands.Add(retire);
        return keys;
    }

    private static async Task<int> ListAsync(string[] hostArgs)
    {
        await using var app = ServerHost.Build(hostArgs);
        await TesseraCli.PrepareDatabaseAsync(app);
        await using var scope = app.Services.CreateAsyncScope();
        var keys = await Administration(scope).ListAsync();
        Console.WriteLine($"{"KID",-22}  {"ALG",-5}  {"GEN",4}  {"CREATED",-20}  {"SIGNS FROM",-20}  {"EXPIRES",-20}  STATE");
        foreach (var (key, state) in keys)
            Console.WriteLine($"{key.KeyId,-22}  {key.Algorithm,-5}  {key.Generation,4}  {Time(key.CreatedAt),-20}  {Time(key.SignsFrom),-20}  {Time(key.ExpiresAt ?? key.RetiredAt),-20}  {state.ToString().ToLowerInvariant()}");
        return 0;
    }

    private static async Task<int> RotateAsync(bool signNow, string[] hostArgs)
    {
        await using var app = ServerHost.Build(hostArgs);
        await TesseraCli.PrepareDatabaseAsync(app);
        await using var scope = app.Services.CreateAsyncScope();
        var made = await Administration(scope).RotateAsync(signNow)
            ?? throw new CliException("Another instance made the next generation at the same moment; run `tessera keys list`.");
        Console.WriteLine($"Made signing key {made.KeyId} ({made.Algorithm}, generation {made.Generation}): published now, signing from {Time(made.SignsFrom)}.");
        return 0;
    }

    private static async Task<int> RetireAsync(string keyId, string[] hostArgs)
    {
        await using var app = ServerHost.Build(hostArgs);
        await TesseraCli.PrepareDatabaseAsync(app);
        await using var scope = app.Services.CreateAsyncScope();
        var administration = Administration(scope);
        if (!await administration.RetireAsync(keyId))
        {
            var known = (await administration.ListAsync()).Any(k => k.Key.KeyId == keyId);
            throw new CliException(known ? $"Signing key '{keyId}' is retired already." : $"No signing key '{keyId}' (see tessera keys list).");
        }
        Console.WriteLine($"Retired signing key {keyId}: every token it signed is refused, on every instance.");
        return 0;
    }

    private static SigningKeyAdministration Administration(AsyncServiceScope scope)
    {
        try
        {
            return scope.ServiceProvider.GetRequiredService<SigningKeyAdministration>();
        }
        catch (InvalidOperationException e) when (e.Message.StartsWith("Tessera:Jwt:Algorithm", StringComparison.Ordinal))
        {
            throw new CliException(e.Message);
        }
    }

    private static string Time(long? unixSeconds)
        => unixSeconds is { } s ? DateTimeOffset.FromUnixTimeSeconds(s).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'") : "-";
}
