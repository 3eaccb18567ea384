using Microsoft.Extensions.DependencyInjection;

namespace Tessera.AspNetCore.Hosting;

internal static class ServiceDescriptorExtensions
{
    /// <summary>
    /// The service a (non-keyed) registration describes, made as the container would make it: its
    /// instance, its factory, or its type's constructor. For a decorator that takes the registration's place.
    /// </summary>
    public static object CreateInstance(this ServiceDescriptor descriptor, IServiceProvider services)
        => descriptor.ImplementationInstance
           ?? descriptor.ImplementationFactory?.Invoke(services)
           ?? ActivatorUtilities.CreateInstance(services, descriptor.ImplementationType!);
}
