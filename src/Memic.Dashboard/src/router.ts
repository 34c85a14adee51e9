import { useEffect, useState } from 'preact/hooks';

// Hash routes (#/environments/<id>/<tab>) so both hosts serve one index.html at / and need no fallback route.
export const tabs = ['keys', 'files', 'search', 'prompts', 'usage'] as const;
export type Tab = (typeof tabs)[number];

export interface Route {
  environmentId?: string;
  tab: Tab;
}

export function parseRoute(hash: string): Route {
  const [, section, id, tab] = hash.replace(/^#/, '').split('/');
  if (section === 'environments' && id) {
    return { environmentId: id, tab: (tabs as readonly string[]).includes(tab) ? (tab as Tab) : 'files' };
  }
  return { tab: 'files' };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const changed = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return route;
}

export const environmentHref = (id: string, tab: Tab = 'files') => `#/environments/${id}/${tab}`;
