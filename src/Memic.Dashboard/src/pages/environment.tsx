import { useEffect, useState } from 'preact/hooks';
import { environments, type Environment, type User } from '../api';
import { environmentHref, type Tab } from '../router';
import { canManage, ErrorText, formatDate, messageOf } from '../ui';
import { KeysPage } from './keys';
import { FilesPage } from './files';
import { SearchPage } from './search';
import { PromptsPage } from './prompts';
import { UsagePage } from './usage';

const tabLabels: Record<Tab, string> = {
  files: 'Files',
  search: 'Search',
  keys: 'API keys',
  prompts: 'Prompts',
  usage: 'Usage',
};

export function EnvironmentPage({ environmentId, tab, user }: { environmentId: string; tab: Tab; user: User }) {
  const [environment, setEnvironment] = useState<Environment | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    environments.get(environmentId).then(setEnvironment, (e) => setError(messageOf(e)));
  }, [environmentId]);

  if (error) return <ErrorText error={error} />;
  if (!environment) return <p class="loading">Loading…</p>;

  return (
    <section aria-labelledby="environment-title">
      <p class="crumbs">
        <a href="#/">Environments</a> / {environment.slug}
      </p>
      <h1 id="environment-title">
        {environment.slug} <span class={`status status-${environment.status}`}>{environment.status}</span>
      </h1>
      <p class="muted">
        Created {formatDate(environment.created_at)} ·{' '}
        <span data-testid="env-expires">
          {environment.expires_at ? `expires ${formatDate(environment.expires_at)}` : 'never expires'}
        </span>
      </p>
      {canManage(user.role) && <Lifetime environment={environment} onChanged={setEnvironment} />}
      <nav class="tabs" aria-label="Environment pages">
        {(Object.keys(tabLabels) as Tab[]).map((t) => (
          <a key={t} href={environmentHref(environmentId, t)} aria-current={t === tab ? 'page' : undefined}>
            {tabLabels[t]}
          </a>
        ))}
      </nav>
      {tab === 'keys' && <KeysPage environmentId={environmentId} user={user} />}
      {tab === 'files' && <FilesPage environmentId={environmentId} user={user} />}
      {tab === 'search' && <SearchPage environmentId={environmentId} />}
      {tab === 'prompts' && <PromptsPage environmentId={environmentId} user={user} />}
      {tab === 'usage' && <UsagePage environmentId={environmentId} />}
    </section>
  );
}

/** Renew a short-lived environment by some hours from now, or let it live until deleted. */
function Lifetime({ environment, onChanged }: { environment: Environment; onChanged: (e: Environment) => void }) {
  const [hours, setHours] = useState('72');
  const [error, setError] = useState<string | null>(null);

  async function change(ttlHours: number | null) {
    setError(null);
    try {
      onChanged(await environments.setLifetime(environment.id, ttlHours));
    } catch (e) {
      setError(messageOf(e));
    }
  }

  return (
    <form
      class="row lifetime"
      aria-label="Lifetime"
      onSubmit={(e) => {
        e.preventDefault();
        change(Number(hours));
      }}
    >
      <label>
        Expire in (hours)
        <input type="number" min="1" step="1" required value={hours} onInput={(e) => setHours(e.currentTarget.value)} data-testid="env-renew-hours" />
      </label>
      <button type="submit" data-testid="env-renew">
        {environment.expires_at ? 'Renew' : 'Set lifetime'}
      </button>
      {environment.expires_at && (
        <button type="button" onClick={() => change(null)} data-testid="env-never-expire">
          Never expire
        </button>
      )}
      <ErrorText error={error} />
    </form>
  );
}
