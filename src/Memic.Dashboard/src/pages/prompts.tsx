import { useEffect, useState } from 'preact/hooks';
import { prompts, type Prompt, type User } from '../api';
import { canManage, ErrorText, formatDate, messageOf } from '../ui';

/** Prompt versions per name, which one is live, and a new version. */
export function PromptsPage({ environmentId, user }: { environmentId: string; user: User }) {
  const [list, setList] = useState<Prompt[] | null>(null);
  const [name, setName] = useState('');
  const [body, setBody] = useState('');
  const [makeLive, setMakeLive] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const manager = canManage(user.role);

  const load = () => prompts.list(environmentId).then(setList, (e) => setError(messageOf(e)));
  useEffect(() => {
    load();
  }, [environmentId]);

  async function create(e: Event) {
    e.preventDefault();
    setError(null);
    try {
      await prompts.create(environmentId, { name, body, make_live: makeLive });
      setBody('');
      await load();
    } catch (err) {
      setError(messageOf(err));
    }
  }

  async function setLive(promptName: string, version: number) {
    setError(null);
    try {
      await prompts.setLive(environmentId, promptName, version);
      await load();
    } catch (err) {
      setError(messageOf(err));
    }
  }

  return (
    <section aria-label="Prompts">
      {manager && (
        <form class="card" onSubmit={create}>
          <h2>New prompt version</h2>
          <label>
            Name
            <input required pattern="[A-Za-z0-9_.\-]+" value={name} onInput={(e) => setName(e.currentTarget.value)} data-testid="prompt-name" />
          </label>
          <label>
            Body (variables as {'{{name}}'})
            <textarea required rows={4} value={body} onInput={(e) => setBody(e.currentTarget.value)} data-testid="prompt-body" />
          </label>
          <div class="row">
            <label class="check">
              <input type="checkbox" checked={makeLive} onChange={(e) => setMakeLive(e.currentTarget.checked)} />
              Make it live
            </label>
            <button type="submit" class="primary" data-testid="prompt-create">
              Save version
            </button>
          </div>
        </form>
      )}
      <ErrorText error={error} />
      {list === null ? (
        <p class="loading">Loading…</p>
      ) : list.length === 0 ? (
        <p class="empty">No prompts.</p>
      ) : (
        list.map((p) => (
          <div class="card" key={p.name} data-testid={`prompt-${p.name}`}>
            <h2>
              {p.name} <span class="muted">live: {p.live_version === null ? 'none' : `v${p.live_version}`}</span>
            </h2>
            <table>
              <thead>
                <tr>
                  <th scope="col">Version</th>
                  <th scope="col">Body</th>
                  <th scope="col">Variables</th>
                  <th scope="col">Created</th>
                  <th scope="col"><span class="sr-only">Live</span></th>
                </tr>
              </thead>
              <tbody>
                {[...p.versions].reverse().map((v) => (
                  <tr key={v.version_number}>
                    <td>v{v.version_number}</td>
                    <td>
                      <pre>{v.body}</pre>
                    </td>
                    <td>{v.variables.join(', ') || '—'}</td>
                    <td>{formatDate(v.created_at)}</td>
                    <td class="actions">
                      {v.is_live ? (
                        <span class="badge">live</span>
                      ) : (
                        manager && (
                          <button type="button" onClick={() => setLive(p.name, v.version_number)} data-testid={`prompt-live-${p.name}-${v.version_number}`}>
                            Set live
                          </button>
                        )
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))
      )}
    </section>
  );
}
