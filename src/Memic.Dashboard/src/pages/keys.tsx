import { useEffect, useState } from 'preact/hooks';
import { keys, type ApiKey, type User } from '../api';
import { canManage, ConfirmDialog, ErrorText, formatDate, messageOf } from '../ui';

/** A key's plaintext, shown once, with a copy button. */
export function PlaintextKey({ label, plaintext, onDismiss }: { label: string; plaintext: string; onDismiss: () => void }) {
  const [copied, setCopied] = useState(false);

  async function copy() {
    await navigator.clipboard.writeText(plaintext);
    setCopied(true);
  }

  return (
    <div class="plaintext" role="status">
      <p>
        <strong>{label}</strong> — shown only this once; copy it now.
      </p>
      <div class="row">
        <code data-testid="key-plaintext">{plaintext}</code>
        <button type="button" onClick={copy} data-testid="key-copy">
          {copied ? 'Copied' : 'Copy'}
        </button>
        <button type="button" class="link" onClick={onDismiss}>
          Done
        </button>
      </div>
    </div>
  );
}

export function KeysPage({ environmentId, user }: { environmentId: string; user: User }) {
  const [list, setList] = useState<ApiKey[] | null>(null);
  const [name, setName] = useState('');
  const [created, setCreated] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const [error, setError] = useState<string | null>(null);
  const manager = canManage(user.role);

  const load = () => keys.list(environmentId).then(setList, (e) => setError(messageOf(e)));
  useEffect(() => {
    load();
  }, [environmentId]);

  async function create(e: Event) {
    e.preventDefault();
    setError(null);
    try {
      const key = await keys.create(environmentId, name || undefined);
      setCreated(key.api_key);
      setName('');
      await load();
    } catch (err) {
      setError(messageOf(err));
    }
  }

  async function revoke() {
    const key = revoking!;
    setRevoking(null);
    try {
      await keys.revoke(key.id);
      await load();
    } catch (err) {
      setError(messageOf(err));
    }
  }

  return (
    <section aria-label="API keys">
      {manager && (
        <form class="card inline-form" onSubmit={create}>
          <div class="row">
            <label>
              Key name (optional)
              <input value={name} onInput={(e) => setName(e.currentTarget.value)} placeholder="preview deploy" />
            </label>
            <button type="submit" class="primary" data-testid="key-create">
              Create key
            </button>
          </div>
          {created && <PlaintextKey label="New API key" plaintext={created} onDismiss={() => setCreated(null)} />}
        </form>
      )}
      <ErrorText error={error} />
      {list === null ? (
        <p class="loading">Loading…</p>
      ) : list.length === 0 ? (
        <p class="empty">No keys.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Prefix</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
              {manager && <th scope="col"><span class="sr-only">Actions</span></th>}
            </tr>
          </thead>
          <tbody>
            {list.map((k) => (
              <tr key={k.id} data-testid={`key-row-${k.prefix}`}>
                <td>{k.name || '—'}</td>
                <td>
                  <code>{k.prefix}…</code>
                </td>
                <td>{formatDate(k.created_at)}</td>
                <td>{k.last_used_at ? formatDate(k.last_used_at) : 'never'}</td>
                {manager && (
                  <td class="actions">
                    <button
                      type="button"
                      class="danger"
                      onClick={() => setRevoking(k)}
                      data-testid={`key-revoke-${k.prefix}`}
                      aria-label={`Revoke key ${k.prefix}`}
                    >
                      Revoke
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {revoking && (
        <ConfirmDialog title="Revoke this key?" confirmLabel="Revoke key" onConfirm={revoke} onCancel={() => setRevoking(null)}>
          <p>
            Requests with <code>{revoking.prefix}…</code> stop working within 30 seconds.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}
