import { useEffect, useState } from 'preact/hooks';
import { environments, type Environment, type User } from '../api';
import { environmentHref, type Tab } from '../router';
import { ErrorText, formatDate, messageOf } from '../ui';
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
        {environment.expires_at ? `expires ${formatDate(environment.expires_at)}` : 'never expires'}
      </p>
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
