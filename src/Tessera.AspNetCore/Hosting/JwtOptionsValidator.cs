using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Tessera.Core.Tokens;

namespace Tessera.AspNetCore.Hosting;

/// <summary>Refuses to start with JWT settings that would be unsafe or meaningless, naming the setting.</summary>
public sealed class JwtOptionsValidator(IHostEnvironment environment) : IValidateOptions<JwtOptions>
{
    public ValidateOptionsResult Validate(string? name, JwtOptions options)
    {
        var problems = options.Validate(environment.IsDevelopment()).ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
