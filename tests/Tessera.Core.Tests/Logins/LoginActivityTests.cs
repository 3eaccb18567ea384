using Tessera.Core.Logins;
using Tessera.Core.Revocation;
using Tessera.Core.Tests.Throttling;

namespace Tessera.Core.Tests.Logins;

public sealed class LoginActivityTests
{
    [Fact]
    public void A_login_used_many_times_in_a_minute_is_one_change_with_that_minute()
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 1, 1, 10, 0, 30, TimeSpan.Zero));
        var activity = new LoginActivity(clock);
        var login = LoginId.New(0);
        for (var i = 0; i < 100; i++)
            activity.Note(login);

        var (taken, at) = Assert.Single(activity.TakeChanged());
        Assert.Equal((login, new DateTime(2026, 1, 1, 10, 0, 0, DateTimeKind.Utc)), (taken, at));
        activity.Note(login);
        Assert.Empty(activity.TakeChanged()); // the same minute: nothing new to write
        clock.Advance(TimeSpan.FromMinutes(1));
        activity.Note(login);
        Assert.Equal(new DateTime(2026, 1, 1, 10, 1, 0, DateTimeKind.Utc), Assert.Single(activity.TakeChanged()).LastUsed);
    }

    [Fact]
    public async Task Concurrent_notes_and_takes_lose_no_login_and_end_on_its_latest_minute()
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 1, 1, 10, 0, 0, TimeSpan.Zero));
        var activity = new LoginActivity(clock);
        var logins = Enumerable.Range(0, 64).Select(i => LoginId.New(i)).ToArray();
        var latest = new Dictionary<LoginId, DateTime>();
        using var stop = new CancellationTokenSource();
        var taker = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
                Record(activity.TakeChanged());
        });
        // Eight threads note every login while the clock turns minutes under them and a flush takes.
        var writers = Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            for (var round = 0; round < 2_000; round++)
                foreach (var login in logins)
                    activity.Note(login);
        })).ToArray();
        for (var minute = 0; minute < 5; minute++)
        {
            await Task.Delay(5);
            clock.Advance(TimeSpan.FromMinutes(1));
        }
        await Task.WhenAll(writers);
        var end = clock.GetUtcNow().UtcDateTime;
        foreach (var login in logins)
            activity.Note(login); // the final minute, after every writer
        stop.Cancel();
        await taker;
        Record(activity.TakeChanged());

        var lastMinute = new DateTime(end.Year, end.Month, end.Day, end.Hour, end.Minute, 0, DateTimeKind.Utc);
        Assert.All(logins, l => Assert.Equal(lastMinute, latest[l]));

        void Record(IReadOnlyCollection<(LoginId Login, DateTime LastUsed)> batch)
        {
            lock (latest)
            {
                foreach (var (login, at) in batch)
                    latest[login] = latest.TryGetValue(login, out var seen) && seen > at ? seen : at;
            }
        }
    }
}
