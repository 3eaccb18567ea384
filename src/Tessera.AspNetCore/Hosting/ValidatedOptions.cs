using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Tessera.AspNetCore.Hosting;

/// <summary>
/// One way to register every Tessera settings class: bound from its section and validated at start
/// by the class's own list of problems, each naming its setting, so a bad configuration stops the
/// server with a message a person can act on.
/// </summary>
internal static class ValidatedOptions
{
    public static OptionsBuilder<TOptions> AddValidatedOptions<TOptions>(this IServiceCollection services,
        IConfiguration configuration, string sectionName, Func<IServiceProvider, TOptions, IEnumerable<string>> problems)
        where TOptions : class
    {
        services.AddKnownTesseraSettings(sectionName, typeof(TOptions));
        services.AddSingleton<IValidateOptions<TOptions>>(sp => new ProblemListValidator<TOptions>(o => problems(sp, o)));
        return services.AddOptions<TOptions>().Bind(configuration.GetSection(sectionName)).ValidateOnStart();
    }

    public static OptionsBuilder<TOptions> AddValidatedOptions<TOptions>(this IServiceCollection services,
        IConfiguration configuration, string sectionName, Func<TOptions, IEnumerable<string>> problems)
        where TOptions : class
        => services.AddValidatedOptions<TOptions>(configuration, sectionName, (_, o) => problems(o));

    private sealed class ProblemListValidator<TOptions>(Func<TOptions, IEnumerable<string>> problems) : IValidateOptions<TOptions>
        where TOptions : class
    {
        public ValidateOptionsResult Validate(string? name, TOptions options)
        {
            var list = problems(options).ToList();
            return list.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(list);
        }
    }
}
