import { useEffect, useState } from 'preact/hooks';
import { environments, projects as projectApi, type Environment, type Project, type User } from '../api';
import { environmentHref } from '../router';
import { canManage, ConfirmDialog, ErrorText, formatDate, messageOf } from '../ui';
import { PlaintextKey } from './keys';
import { usePolling } from '../polling';

const slugPattern = '[a-z0-9\\-]{1,63}';
const settling = new Set(['provisioning', 'deleting']);

/** Organization → projects → environments: the list, create (slug and optional lifetime) and delete. */
export function EnvironmentsPage({ user }: { user: User }) {
  const [list, setList] = useState<Environment[] | null>(null);
  const [projects, setProjects] = useState<Project[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<Environment | null>(null);
  const manager = canManage(user.role);

  async function load() {
    try {
      const [found, projectList] = await Promise.all([environments.list(), projectApi.list()]);
      setList(found);
      setProjects(projectList);
      setError(null);
    } catch (e) {
      setError(messageOf(e));
    }
  }

  useEffect(() => {
    load();
  }, []);
  usePolling(load, 2000, list?.some((e) => settling.has(e.status)) ?? false);

  async function confirmDelete() {
    const target = deleting!;
    setDeleting(null);
    try {
      await environments.remove(target.id);
      await load();
    } catch (e) {
      setError(messageOf(e));
    }
  }

  const projectIds = [...new Set([...projects.map((p) => p.id), ...(list ?? []).map((e) => e.project_id)])];
  const projectName = (id: string) => projects.find((p) => p.id === id)?.name ?? id;

  return (
    <section aria-labelledby="environments-title">
      <p class="crumbs">{user.organization_name}</p>
      <h1 id="environments-title">Environments</h1>
      <ErrorText error={error} />
      {manager && <CreateEnvironment projects={projects} onCreated={load} />}
      {list === null ? (
        <p class="loading">Loading…</p>
      ) : (
        projectIds.map((projectId) => (
          <div class="project" key={projectId}>
            <h2>Project: {projectName(projectId)}</h2>
            <table>
              <thead>
                <tr>
                  <th scope="col">Environment</th>
                  <th scope="col">Status</th>
                  <th scope="col">Created</th>
                  <th scope="col">Expires</th>
                  {manager && <th scope="col"><span class="sr-only">Actions</span></th>}
                </tr>
              </thead>
              <tbody>
                {list
                  .filter((e) => e.project_id === projectId)
                  .map((e) => (
                    <tr key={e.id} data-testid={`env-row-${e.slug}`}>
                      <td>
                        {e.status === 'deleting' ? e.slug : <a href={environmentHref(e.id)}>{e.slug}</a>}
                        {e.name && e.name !== e.slug && <span class="muted"> {e.name}</span>}
                      </td>
                      <td>
                        <span class={`status status-${e.status}`}>{e.status}</span>
                      </td>
                      <td>{formatDate(e.created_at)}</td>
                      <td>{e.expires_at ? formatDate(e.expires_at) : 'never'}</td>
                      {manager && (
                        <td class="actions">
                          <button
                            type="button"
                            class="danger"
                            disabled={e.status === 'deleting'}
                            onClick={() => setDeleting(e)}
                            data-testid={`env-delete-${e.slug}`}
                            aria-label={`Delete environment ${e.slug}`}
                          >
                            Delete
                          </button>
                        </td>
                      )}
                    </tr>
                  ))}
              </tbody>
            </table>
          </div>
        ))
      )}
      {deleting && (
        <ConfirmDialog
          title={`Delete ${deleting.slug}?`}
          confirmLabel="Delete environment"
          onConfirm={confirmDelete}
          onCancel={() => setDeleting(null)}
        >
          <p>
            Every file, chunk, prompt, folder and key of <strong>{deleting.slug}</strong> is deleted. This cannot be
            undone.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}

function CreateEnvironment({ projects, onCreated }: { projects: Project[]; onCreated: () => void }) {
  const [slug, setSlug] = useState('');
  const [ttl, setTtl] = useState('');
  const [projectId, setProjectId] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<{ slug: string; key: string } | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const result = await environments.create({
        slug,
        project_id: projectId || undefined,
        ttl_hours: ttl ? Number(ttl) : undefined,
      });
      setCreated({ slug: result.environment.slug, key: result.api_key });
      setSlug('');
      setTtl('');
      onCreated();
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="card inline-form" onSubmit={submit} aria-label="Create an environment">
      <h2>New environment</h2>
      <div class="row">
        <label>
          Slug
          <input
            required
            pattern={slugPattern}
            title="1–63 characters: a-z, 0-9 and -"
            placeholder="feature-login"
            value={slug}
            onInput={(e) => setSlug(e.currentTarget.value)}
            data-testid="env-create-slug"
          />
        </label>
        <label>
          Lifetime (hours, optional)
          <input
            type="number"
            min="1"
            step="1"
            placeholder="never expires"
            value={ttl}
            onInput={(e) => setTtl(e.currentTarget.value)}
            data-testid="env-create-ttl"
          />
        </label>
        {projects.length > 1 && (
          <label>
            Project
            <select value={projectId} onChange={(e) => setProjectId(e.currentTarget.value)}>
              <option value="">Default project</option>
              {projects.map((p) => (
                <option value={p.id} key={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
          </label>
        )}
        <button type="submit" class="primary" disabled={busy} data-testid="env-create-submit">
          Create
        </button>
      </div>
      <ErrorText error={error} />
      {created && (
        <PlaintextKey
          label={`API key of ${created.slug}`}
          plaintext={created.key}
          onDismiss={() => setCreated(null)}
        />
      )}
    </form>
  );
}
