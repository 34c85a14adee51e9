// The dashboard's only way to the server: same-origin fetches carrying the session cookie, the antiforgery header on
// writes (docs/dashboard-auth.md) and, on the data plane, the environment the page is looking at.

export type Role = 'owner' | 'admin' | 'member';

export interface User {
  id: string;
  email: string;
  role: Role;
  organization_id: string;
  organization_name: string;
  created_at: string;
}

export interface Session {
  user: User;
  antiforgery_token: string;
}

export interface Environment {
  id: string;
  slug: string;
  name: string;
  project_id: string;
  organization_id: string;
  status: 'provisioning' | 'ready' | 'failed' | 'deleting';
  created_at: string;
  expires_at?: string | null;
}

export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  created_at: string;
  last_used_at: string | null;
}

export interface CreatedApiKey extends Omit<ApiKey, 'last_used_at'> {
  api_key: string;
}

export interface FileObject {
  id: string;
  name: string;
  original_filename: string;
  size: number;
  mime_type: string;
  status: string;
  error_message: string | null;
  total_chunks: number;
  created_at: string;
  updated_at: string;
}

export interface FilePage {
  items: FileObject[];
  total: number;
  page: number;
  page_size: number;
  total_pages: number;
  has_more: boolean;
}

export interface SearchHit {
  chunk_id: string;
  file_id: string;
  file_name: string;
  content: string;
  score: number;
  page_number: number | null;
}

export interface SearchResponse {
  query: string;
  total_results: number;
  search_time_ms: number;
  results: { semantic: SearchHit[] };
}

export interface PromptVersion {
  version_number: number;
  is_live: boolean;
  body: string;
  variables: string[];
  created_at: string;
}

export interface Prompt {
  name: string;
  live_version: number | null;
  versions: PromptVersion[];
}

export interface UsageDay {
  date: string;
  requests: number;
  searches: number;
  chats: number;
  files: number;
  bytes: number;
  pages: number;
  chunks: number;
  embedding_tokens: number;
}

export interface Usage {
  environment_id: string;
  from: string;
  to: string;
  days: UsageDay[];
  totals: UsageDay;
}

export interface Project {
  id: string;
  name: string;
  organization_id: string;
}

/** An answer outside 2xx, with the contract's error envelope (CONTRACT §11) read into a sentence. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

let antiforgeryToken: string | null = null;

/** Raised on window when an API call answers 401 because the session is gone. */
export const sessionEndedEvent = 'memic:session-ended';

/** The session's antiforgery token, sent back as X-XSRF-TOKEN on every write. */
export function setAntiforgeryToken(token: string | null): void {
  antiforgeryToken = token;
}

const writes = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function detailText(detail: unknown): string {
  if (typeof detail === 'string') return detail;
  if (Array.isArray(detail)) {
    // 422: a list of {loc, msg}.
    return detail
      .map((d: { loc?: unknown[]; msg?: string }) => [d.loc?.slice(1).join('.'), d.msg].filter(Boolean).join(': '))
      .join('; ');
  }
  return '';
}

export async function request<T>(
  method: string,
  path: string,
  options: { body?: unknown; environmentId?: string } = {},
): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (writes.has(method) && antiforgeryToken) headers['X-XSRF-TOKEN'] = antiforgeryToken;
  if (options.environmentId) headers['X-Memic-Environment-Id'] = options.environmentId;

  const response = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  const json = text ? safeParse(text) : undefined;
  if (response.status === 401 && !path.startsWith('/api/auth/')) {
    // The session ended (idle timeout, absolute lifetime, sign-out elsewhere): back to the sign-in page.
    dispatchEvent(new Event(sessionEndedEvent));
  }
  if (!response.ok) {
    const envelope = (json ?? {}) as { detail?: unknown; code?: string };
    const message = detailText(envelope.detail) || `${response.status} ${response.statusText}`;
    throw new ApiError(response.status, envelope.code ?? 'error', message);
  }
  return json as T;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export const auth = {
  me: () => request<Session>('GET', '/api/auth/v1/me'),
  login: (email: string, password: string) => request<Session>('POST', '/api/auth/v1/login', { body: { email, password } }),
  logout: () => request<void>('POST', '/api/auth/v1/logout'),
};

const admin = '/api/admin/v1';

export const projects = {
  list: () => request<Project[]>('GET', `${admin}/projects`),
};

export const environments = {
  list: () => request<Environment[]>('GET', `${admin}/environments`),
  get: (id: string) => request<Environment>('GET', `${admin}/environments/${id}`),
  create: (body: { slug: string; name?: string; project_id?: string; ttl_hours?: number }) =>
    request<{ environment: Environment; api_key: string }>('POST', `${admin}/environments`, { body }),
  remove: (id: string) => request<void>('DELETE', `${admin}/environments/${id}`),
  /** Renews the lifetime (`ttl_hours` from now) or, with null, clears it (CONTRACT §16). */
  setLifetime: (id: string, ttlHours: number | null) =>
    request<Environment>('PATCH', `${admin}/environments/${id}`, { body: ttlHours === null ? { expires_at: null } : { ttl_hours: ttlHours } }),
};

export const keys = {
  list: (environmentId: string) => request<ApiKey[]>('GET', `${admin}/environments/${environmentId}/keys`),
  create: (environmentId: string, name?: string) =>
    request<CreatedApiKey>('POST', `${admin}/environments/${environmentId}/keys`, { body: name ? { name } : {} }),
  revoke: (keyId: string) => request<void>('DELETE', `${admin}/keys/${keyId}`),
};

export const prompts = {
  list: (environmentId: string) => request<Prompt[]>('GET', `${admin}/environments/${environmentId}/prompts`),
  create: (environmentId: string, body: { name: string; body: string; make_live: boolean }) =>
    request<unknown>('POST', `${admin}/environments/${environmentId}/prompts`, { body }),
  setLive: (environmentId: string, name: string, version: number) =>
    request<unknown>('PUT', `${admin}/environments/${environmentId}/prompts/${encodeURIComponent(name)}/live`, {
      body: { version_number: version },
    }),
};

export const usage = {
  get: (environmentId: string, from: string, to: string) =>
    request<Usage>('GET', `${admin}/environments/${environmentId}/usage?from=${from}&to=${to}`),
};

const data = '/api/v1';

export const dataPlane = (environmentId: string) => ({
  files: (page = 1) => request<FilePage>('GET', `${data}/files?page=${page}&page_size=100`, { environmentId }),
  initFile: (body: { filename: string; size: number; mime_type: string }) =>
    request<{ file_id: string; upload_url: string; expires_in: number }>('POST', `${data}/files/init`, {
      body,
      environmentId,
    }),
  confirmFile: (fileId: string) => request<FileObject>('POST', `${data}/files/${fileId}/confirm`, { environmentId }),
  deleteFile: (fileId: string) => request<void>('DELETE', `${data}/files/${fileId}`, { environmentId }),
  search: (body: { query: string; min_score: number; top_k: number }) =>
    request<SearchResponse>('POST', `${data}/search`, { body, environmentId }),
});

/**
 * Step 2 of the upload flow (CONTRACT §3): the raw bytes to the signed URL with only a Content-Type header.
 * XMLHttpRequest rather than fetch because only it reports upload progress.
 */
export function putBytes(url: string, file: File, mimeType: string, onProgress: (fraction: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    xhr.setRequestHeader('Content-Type', mimeType);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve();
      } else {
        const envelope = (safeParse(xhr.responseText) ?? {}) as { detail?: unknown; code?: string };
        reject(new ApiError(xhr.status, envelope.code ?? 'error', detailText(envelope.detail) || `upload failed (${xhr.status})`));
      }
    };
    xhr.onerror = () => reject(new ApiError(0, 'network', 'the upload was interrupted'));
    xhr.send(file);
  });
}

const mimeByExtension: Record<string, string> = {
  pdf: 'application/pdf',
  txt: 'text/plain',
  md: 'text/markdown',
  html: 'text/html',
  htm: 'text/html',
  csv: 'text/csv',
  json: 'application/json',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
};

/** Browsers leave File.type empty for types they do not know (often .md); the extension then decides. */
export function mimeTypeOf(file: File): string {
  if (file.type) return file.type;
  const extension = file.name.split('.').pop()?.toLowerCase() ?? '';
  return mimeByExtension[extension] ?? 'application/octet-stream';
}
