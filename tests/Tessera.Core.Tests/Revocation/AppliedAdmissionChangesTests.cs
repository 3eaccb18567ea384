using Tessera.Core.Revocation;
using Tessera.Core.Users;

namespace Tessera.Core.Tests.Revocation;

/// <summary>
/// Listeners hear each change once on an instance, whichever of the bus and the feed brings it first
/// and in whichever order the two deliver it.
/// </summary>
public class AppliedAdmissionChangesTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

    private readonly InMemoryRevocationStore _store = new();
    private readonly AppliedAdmissionChanges _applied = new();
    private readonly List<AdmissionChange> _heard = new();
    private readonly RevocationSynchronizer _sync;

    public AppliedAdmissionChangesTests()
    {
        _sync = new RevocationSynchronizer(new RevocationState(), new UserSnapshots(), _applied);
        _applied.Subscribe(_heard.Add);
        _store.PutUser(TestUsers.Active(1));
    }

    private AdmissionChange Revoke() => _store.Append(AdmissionChangeKind.LoginRevoked, 1, LoginId.New(Now.ToUnixTimeMilliseconds()).ToString(), Now.ToUnixTimeSeconds() + 600);

    [Fact]
    public async Task Arrivals_are_the_changes_made_elsewhere_once_each_with_the_path_that_brought_them()
    {
        var arrived = new List<(long Id, AdmissionChangePath Path)>();
        using var subscription = _applied.SubscribeToArrivals((e, path) => arrived.Add((e.Id, path)));
        await _sync.LoadAsync(_store, Now);
        var here = Revoke();
        var byBus = Revoke();
        var byFeed = Revoke();

        await _sync.ApplyAsync(here, _store); // this instance's own bus: made here
        await _sync.ApplyAsync(byBus, _store, AdmissionChangePath.Bus);
        await _sync.CatchUpAsync(_store, Now);

        Assert.Equal([(byBus.Id, AdmissionChangePath.Bus), (byFeed.Id, AdmissionChangePath.Feed)], arrived);
        Assert.Equal([here, byBus, byFeed], _heard);
    }

    [Fact]
    public async Task The_bus_first_then_the_feed_tells_it_once()
    {
        await _sync.LoadAsync(_store, Now);
        var e = Revoke();

        await _sync.ApplyAsync(e, _store);
        await _sync.CatchUpAsync(_store, Now);

        Assert.Equal([e], _heard);
    }

    [Fact]
    public async Task The_feed_first_then_the_bus_tells_it_once()
    {
        await _sync.LoadAsync(_store, Now);
        var e = Revoke();

        await _sync.CatchUpAsync(_store, Now);
        await _sync.ApplyAsync(e, _store);

        Assert.Equal([e], _heard);
    }

    [Fact]
    public async Task A_gap_the_bus_fills_is_told_once_and_the_feed_does_not_tell_it_again()
    {
        await _sync.LoadAsync(_store, Now);
        var reserved = _store.ReserveEventId();
        var later = Revoke();
        await _sync.CatchUpAsync(_store, Now); // reads the later one; the reserved id is a gap
        var e = _store.CommitReserved(reserved, AdmissionChangeKind.UserChanged, 1);

        await _sync.ApplyAsync(e, _store);
        await _sync.CatchUpAsync(_store, Now);

        Assert.Equal([later, e], _heard);
    }

    [Fact]
    public async Task A_listener_that_throws_stops_neither_the_change_nor_the_others_and_a_disposed_one_hears_nothing()
    {
        var other = new List<AdmissionChange>();
        _applied.Subscribe(_ => throw new InvalidOperationException("a consumer's bug"));
        var gone = _applied.Subscribe(other.Add);
        gone.Dispose();
        await _sync.LoadAsync(_store, Now);
        var e = Revoke();

        await _sync.ApplyAsync(e, _store);

        Assert.Equal([e], _heard);
        Assert.Empty(other);
    }

    /// <summary>A reload applies changes no listener hears one by one: the reload itself is told, to its own listeners.</summary>
    [Fact]
    public async Task A_full_reload_is_told_to_reload_listeners_and_no_change_is_told_for_it()
    {
        var reloads = 0;
        _applied.SubscribeToReloads(() => throw new InvalidOperationException("a consumer's bug"));
        var gone = _applied.SubscribeToReloads(() => reloads += 100);
        gone.Dispose();
        _applied.SubscribeToReloads(() => reloads++);
        await _sync.LoadAsync(_store, Now);
        Revoke(); // committed, but this instance hears of it only by the next full load

        await _sync.LoadAsync(_store, Now);

        Assert.Equal(2, reloads);
        Assert.Empty(_heard);
    }
}
