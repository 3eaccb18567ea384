using Tessera.Core.SigningKeys;

namespace Tessera.Core.Tests.SigningKeys;

public sealed class InMemorySigningKeyStoreContractTests : Tessera.Tests.Contracts.SigningKeyStoreContract
{
    private readonly InMemorySigningKeyStore _store = new();

    protected override ISigningKeyStore CreateStore() => _store;
}
