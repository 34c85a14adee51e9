import { useEffect, useRef } from 'preact/hooks';

/** Calls `load` every `intervalMs` while `active`; the latest `load` is used, so it may close over fresh state. */
export function usePolling(load: () => unknown, intervalMs: number, active: boolean): void {
  const latest = useRef(load);
  latest.current = load;
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => latest.current(), intervalMs);
    return () => clearInterval(timer);
  }, [active, intervalMs]);
}
