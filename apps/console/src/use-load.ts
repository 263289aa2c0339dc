import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from './api';

export interface Loaded<T> {
  data: T | undefined;
  error: ApiError | undefined;
  reload: () => void;
}

/**
 * What `load` answers, loaded again whenever `key` changes and, with `everyMs`, every so often while the tab is
 * visible: so that what others decide appears without a reload. The last answer stays on screen while the next
 * one loads; an answer that arrives after a newer request began is dropped.
 */
export function useLoad<T>(load: () => Promise<T>, key: string, everyMs?: number): Loaded<T> {
  const [state, setState] = useState<{ key: string; data?: T; error?: ApiError }>({ key });
  const latest = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  const run = useCallback(() => {
    const request = ++latest.current;
    loadRef.current().then(
      (data) => request === latest.current && setState({ key, data }),
      (error: unknown) =>
        request === latest.current &&
        setState((previous) => ({
          key,
          data: previous.key === key ? previous.data : undefined,
          error:
            error instanceof ApiError
              ? error
              : new ApiError({ status: 0, code: 'error', title: String(error) }),
        })),
    );
  }, [key]);

  useEffect(() => {
    run();
    if (!everyMs) return;
    const timer = setInterval(() => document.visibilityState === 'visible' && run(), everyMs);
    return () => clearInterval(timer);
  }, [run, everyMs]);

  const current = state.key === key;
  return { data: current ? state.data : undefined, error: current ? state.error : undefined, reload: run };
}
