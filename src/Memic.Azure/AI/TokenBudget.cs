using Microsoft.Extensions.Logging;

namespace Memic.Azure.AI;

/// <summary>
/// A tokens-per-minute budget over a sliding 60-second window, shared by every caller of one embedder, so ingestion
/// stays under an Azure OpenAI deployment's quota instead of learning it from 429s.
/// </summary>
/// <remarks>
/// <para>
/// A request is granted when its tokens plus those granted in the last 60 s fit the budget. Requests are granted in
/// arrival order: a small request never overtakes a large one that is already waiting, so a stream of small requests
/// cannot starve a large one. Search queries are the exception: they are granted at once, ahead of the queue and even
/// past the budget, because someone is waiting for each and they are a few dozen tokens; ingestion absorbs the delay.
/// </para>
/// <para>
/// A request larger than the whole budget could never fit, so it is granted alone once the window is empty. The window
/// then holds more than the budget for 60 s and later requests wait accordingly; the endpoint may still answer 429,
/// which the caller's retries handle. The embedder splits batches to the budget, so only a single oversized input
/// gets here.
/// </para>
/// <para>
/// A cancelled wait takes nothing from the budget and lets the requests behind it be reconsidered at once.
/// </para>
/// </remarks>
internal sealed class TokenBudget : IDisposable
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly object _gate = new();
    private readonly Queue<(long Timestamp, int Tokens)> _granted = new();
    private readonly LinkedList<Waiter> _waiters = new();
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ITimer _timer;
    private long _inWindow;

    public TokenBudget(int tokensPerMinute, TimeProvider time, ILogger logger)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tokensPerMinute);
        TokensPerMinute = tokensPerMinute;
        _time = time;
        _logger = logger;
        _timer = time.CreateTimer(_ => GrantWaiting(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public int TokensPerMinute { get; }

    /// <summary>Tokens granted within the last 60 s.</summary>
    public long InWindow
    {
        get
        {
            lock (_gate)
            {
                Expire(_time.GetTimestamp());
                return _inWindow;
            }
        }
    }

    /// <summary>Requests waiting for room, for tests that need to know every caller has reached the budget.</summary>
    internal int Waiting
    {
        get
        {
            lock (_gate)
            {
                return _waiters.Count;
            }
        }
    }

    /// <summary>
    /// Waits until <paramref name="tokens"/> fit the window after every earlier request, then takes them; a search
    /// <paramref name="query"/> takes them at once.
    /// </summary>
    public Task AcquireAsync(int tokens, bool query, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(tokens);
        cancellationToken.ThrowIfCancellationRequested();
        Waiter waiter;
        bool firstToWait;
        long inWindow;
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            Expire(now);
            if (query || (_waiters.Count == 0 && Fits(tokens)))
            {
                Take(now, tokens);
                return Task.CompletedTask;
            }

            firstToWait = _waiters.Count == 0;
            inWindow = _inWindow;
            waiter = new Waiter(tokens, now, cancellationToken);
            waiter.Node = _waiters.AddLast(waiter);
            ScheduleLocked(now);
        }

        if (firstToWait)
        {
            _logger.LogInformation(
                "Embedding requests wait for the {TokensPerMinute} tokens-per-minute budget ({InWindow} tokens sent in the last minute)",
                TokensPerMinute, inWindow);
        }

        if (cancellationToken.CanBeCanceled)
        {
            var registration = cancellationToken.Register(() => Cancel(waiter));
            lock (_gate)
            {
                // Still queued: whoever grants it disposes the registration. Otherwise nobody else will, and a
                // long-lived token (the host's stopping token) would keep it forever.
                if (waiter.Node.List is not null)
                {
                    waiter.Cancellation = registration;
                    registration = default;
                }
            }

            registration.Dispose();
        }

        return waiter.Completion.Task;
    }

    public void Dispose() => _timer.Dispose();

    private void Cancel(Waiter waiter)
    {
        lock (_gate)
        {
            // Already granted: the tokens are spent, and the caller sees its cancellation on the request itself.
            if (waiter.Node.List is null)
            {
                return;
            }

            _waiters.Remove(waiter.Node);
            waiter.Completion.TrySetCanceled(waiter.CancellationToken);
        }

        // The cancelled request may have been the one holding the others back.
        GrantWaiting();
    }

    private void GrantWaiting()
    {
        var granted = new List<(Waiter Waiter, CancellationTokenRegistration Cancellation)>();
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            Expire(now);
            while (_waiters.First is { Value: var head } && Fits(head.Tokens))
            {
                _waiters.RemoveFirst();
                Take(now, head.Tokens);
                granted.Add((head, head.Cancellation));
            }

            ScheduleLocked(now);
        }

        foreach (var (waiter, cancellation) in granted)
        {
            cancellation.Dispose();
            waiter.Completion.TrySetResult();
            _logger.LogDebug("An embedding request of {Tokens} tokens waited {Waited} for the tokens-per-minute budget",
                waiter.Tokens, _time.GetElapsedTime(waiter.Since));
        }
    }

    // An oversized request fits only an empty window: waiting longer would never make room for it.
    private bool Fits(int tokens) => _inWindow + tokens <= TokensPerMinute || _inWindow == 0;

    private void Take(long now, int tokens)
    {
        if (tokens == 0)
        {
            return;
        }

        _granted.Enqueue((now, tokens));
        _inWindow += tokens;
    }

    private void Expire(long now)
    {
        while (_granted.TryPeek(out var oldest) && _time.GetElapsedTime(oldest.Timestamp, now) >= Window)
        {
            _granted.Dequeue();
            _inWindow -= oldest.Tokens;
        }
    }

    /// <summary>Arms the timer for the moment enough grants leave the window for the first waiter to fit.</summary>
    private void ScheduleLocked(long now)
    {
        if (_waiters.First is not { Value: var head })
        {
            _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            return;
        }

        var remaining = _inWindow;
        foreach (var (timestamp, tokens) in _granted)
        {
            remaining -= tokens;
            if (remaining + head.Tokens <= TokensPerMinute || remaining == 0)
            {
                var due = Window - _time.GetElapsedTime(timestamp, now);
                _timer.Change(due > TimeSpan.Zero ? due : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
                return;
            }
        }
    }

    private sealed class Waiter(int tokens, long since, CancellationToken cancellationToken)
    {
        public int Tokens { get; } = tokens;

        public long Since { get; } = since;

        public CancellationToken CancellationToken { get; } = cancellationToken;

        // Continuations run outside the lock and outside whichever thread grants or cancels.
        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public LinkedListNode<Waiter> Node { get; set; } = null!;

        public CancellationTokenRegistration Cancellation { get; set; }
    }
}
