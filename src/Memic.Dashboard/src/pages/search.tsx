import { useState } from 'preact/hooks';
import { dataPlane, type SearchResponse } from '../api';
import { ErrorText, messageOf } from '../ui';

/** The search playground: a query, the min_score the SDK would send (0.7 by default) and the ranked passages. */
export function SearchPage({ environmentId }: { environmentId: string }) {
  const [query, setQuery] = useState('');
  const [minScore, setMinScore] = useState(0.7);
  const [topK, setTopK] = useState(10);
  const [response, setResponse] = useState<SearchResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setResponse(await dataPlane(environmentId).search({ query, min_score: minScore, top_k: topK }));
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-label="Search playground">
      <form class="card" onSubmit={submit} role="search">
        <label>
          Query
          <input
            type="search"
            required
            maxLength={1000}
            value={query}
            onInput={(e) => setQuery(e.currentTarget.value)}
            placeholder="How often is the boiler serviced?"
            data-testid="search-input"
          />
        </label>
        <div class="row">
          <label>
            Minimum score: <output>{minScore.toFixed(2)}</output>
            <input
              type="range"
              min="0"
              max="1"
              step="0.05"
              value={minScore}
              onInput={(e) => setMinScore(Number(e.currentTarget.value))}
              data-testid="search-min-score"
            />
          </label>
          <label>
            Results
            <input type="number" min="1" max="50" value={topK} onInput={(e) => setTopK(Number(e.currentTarget.value))} />
          </label>
          <button type="submit" class="primary" disabled={busy} data-testid="search-submit">
            Search
          </button>
        </div>
      </form>
      <ErrorText error={error} />
      {response && (
        <div aria-live="polite">
          <p class="muted">
            {response.total_results} result{response.total_results === 1 ? '' : 's'} in {response.search_time_ms.toFixed(1)} ms
          </p>
          <ol class="results">
            {response.results.semantic.map((hit) => (
              <li key={hit.chunk_id} data-testid="search-result">
                <div class="result-head">
                  <strong data-testid="search-result-file">{hit.file_name}</strong>
                  <span data-testid="search-result-page">page {hit.page_number ?? '—'}</span>
                  <span class="score" data-testid="search-result-score">
                    {hit.score.toFixed(3)}
                  </span>
                </div>
                <p>{hit.content}</p>
              </li>
            ))}
          </ol>
        </div>
      )}
    </section>
  );
}
