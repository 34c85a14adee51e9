import { useEffect, useRef, useState } from 'preact/hooks';
import { dataPlane, mimeTypeOf, putBytes, type FileObject, type User } from '../api';
import { canManage, ConfirmDialog, ErrorText, formatBytes, formatDate, messageOf } from '../ui';
import { usePolling } from '../polling';

const settled = (status: string) => status === 'ready' || status.endsWith('_failed');

/** One file on its way through the 3-step flow (CONTRACT §3), before and while the server knows it. */
interface Upload {
  localId: number;
  name: string;
  fileId?: string;
  progress: number;
  error?: string;
}

let nextLocalId = 1;

export function FilesPage({ environmentId, user }: { environmentId: string; user: User }) {
  const plane = dataPlane(environmentId);
  const [files, setFiles] = useState<FileObject[] | null>(null);
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [dragging, setDragging] = useState(false);
  const [deleting, setDeleting] = useState<FileObject | null>(null);
  const [error, setError] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const manager = canManage(user.role);

  const load = async () => {
    try {
      setFiles((await plane.files()).items);
    } catch (e) {
      setError(messageOf(e));
    }
  };
  useEffect(() => {
    load();
  }, [environmentId]);
  const uploading = uploads.some((u) => !u.error && u.progress < 1);
  usePolling(load, 1500, uploading || (files?.some((f) => !settled(f.status)) ?? false));

  const update = (localId: number, change: Partial<Upload>) =>
    setUploads((all) => all.map((u) => (u.localId === localId ? { ...u, ...change } : u)));

  async function upload(file: File) {
    const localId = nextLocalId++;
    setUploads((all) => [...all, { localId, name: file.name, progress: 0 }]);
    try {
      const mimeType = mimeTypeOf(file);
      const init = await plane.initFile({ filename: file.name, size: file.size, mime_type: mimeType });
      update(localId, { fileId: init.file_id });
      await load();
      await putBytes(init.upload_url, file, mimeType, (progress) => update(localId, { progress: Math.min(progress, 0.99) }));
      await plane.confirmFile(init.file_id);
      update(localId, { progress: 1 });
      await load();
    } catch (e) {
      update(localId, { error: messageOf(e) });
    }
  }

  function uploadAll(list: FileList | null) {
    for (const file of Array.from(list ?? [])) upload(file);
    if (input.current) input.current.value = '';
  }

  async function confirmDelete() {
    const file = deleting!;
    setDeleting(null);
    try {
      await plane.deleteFile(file.id);
      setUploads((all) => all.filter((u) => u.fileId !== file.id));
      await load();
    } catch (e) {
      setError(messageOf(e));
    }
  }

  const uploadOf = (fileId: string) => uploads.find((u) => u.fileId === fileId);
  // Uploads the server does not list yet (init not answered, or refused at init).
  const pending = uploads.filter((u) => !u.fileId || (u.error && !files?.some((f) => f.id === u.fileId)));

  return (
    <section aria-label="Files">
      {manager && (
        <div
          class={`dropzone${dragging ? ' dragging' : ''}`}
          data-testid="file-dropzone"
          onDragOver={(e) => {
            e.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={(e) => {
            e.preventDefault();
            setDragging(false);
            uploadAll(e.dataTransfer?.files ?? null);
          }}
        >
          <label>
            <span>Drop files here, or choose them:</span>
            <input
              ref={input}
              type="file"
              multiple
              accept=".pdf,.txt,.md,.docx,.pptx,.xlsx,.html,.htm,.csv,.json,.png,.jpg,.jpeg"
              onChange={(e) => uploadAll(e.currentTarget.files)}
              data-testid="file-upload-input"
            />
          </label>
          <p class="hint">PDF, Word, PowerPoint, Excel, HTML, Markdown, text, CSV, JSON; images where OCR is set up.</p>
        </div>
      )}
      <ErrorText error={error} />
      {pending.map((u) => (
        <div class="upload" key={u.localId} data-testid={`upload-${u.name}`}>
          <span>{u.name}</span>
          {u.error ? <span class="error">{u.error}</span> : <progress max={1} value={u.progress} aria-label={`Uploading ${u.name}`} />}
        </div>
      ))}
      {files === null ? (
        <p class="loading">Loading…</p>
      ) : files.length === 0 ? (
        <p class="empty">No files yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">File</th>
              <th scope="col">Size</th>
              <th scope="col">Status</th>
              <th scope="col">Chunks</th>
              <th scope="col">Updated</th>
              {manager && <th scope="col"><span class="sr-only">Actions</span></th>}
            </tr>
          </thead>
          <tbody>
            {files.map((f) => {
              const u = uploadOf(f.id);
              return (
                <tr key={f.id} data-testid={`file-row-${f.name}`}>
                  <td>{f.name}</td>
                  <td>{formatBytes(f.size)}</td>
                  <td>
                    <span class={`status status-${f.status}`} data-testid={`file-status-${f.name}`}>
                      {f.status}
                    </span>
                    {u && !u.error && u.progress < 1 && (
                      <progress max={1} value={u.progress} aria-label={`Uploading ${f.name}`} />
                    )}
                    {(f.error_message || u?.error) && <div class="error">{f.error_message ?? u?.error}</div>}
                  </td>
                  <td>{f.total_chunks}</td>
                  <td>{formatDate(f.updated_at)}</td>
                  {manager && (
                    <td class="actions">
                      <button
                        type="button"
                        class="danger"
                        onClick={() => setDeleting(f)}
                        data-testid={`file-delete-${f.name}`}
                        aria-label={`Delete ${f.name}`}
                      >
                        Delete
                      </button>
                    </td>
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {deleting && (
        <ConfirmDialog title={`Delete ${deleting.name}?`} confirmLabel="Delete file" onConfirm={confirmDelete} onCancel={() => setDeleting(null)}>
          <p>The file, its chunks and its vectors are removed; search stops finding it.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
