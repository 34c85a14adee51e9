namespace Memic.Azure.Search.Pool;

/// <summary>
/// One search service's create-index budget: at most <c>callsPerWindow</c> permissions in any window of
/// <c>window</c> (a sliding log of grant times). Callers queue one at a time behind the oldest grant, so a burst of
/// signups waits its turn instead of meeting Azure AI Search's 429.
/// </summary>
internal sealed class CreateIndexBudget(int callsPerWindow, TimeSpan window, TimeProvider time) : IDisposable
{
    private readonly SemaphoreSlim _turn = new(1, 1);
    private readonly Queue<DateTimeOffset> _granted = new();

    public int CallsPerWindow => callsPerWindow;

    public async ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        await _turn.WaitAsync(cancellationToken);
        try
        {
            while (true)
            {
                var now = time.GetUtcNow();
                while (_granted.Count > 0 && now - _granted.Peek() >= window)
                {
                    _granted.Dequeue();
                }

                if (_granted.Count < callsPerWindow)
                {
                    _granted.Enqueue(now);
                    return;
                }

                // Time is read again on waking, so a clock that moved further than asked is fine.
                await Task.Delay(_granted.Peek() + window - now, time, cancellationToken);
            }
        }
        finally
        {
            _turn.Release();
        }
    }

    public void Dispose() => _turn.Dispose();
}
