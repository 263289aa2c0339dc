import { useEffect, useState } from 'react';

/** The console's pages, one per hash route: the server serves one document under /console/. */
export type Route =
  | { page: 'inbox' }
  | { page: 'action-plan' }
  | { page: 'initiative'; id: string }
  | { page: 'audit'; id: string }
  | { page: 'not-found' };

export const href = {
  inbox: '#/',
  actionPlan: '#/action-plan',
  initiative: (id: string) => `#/initiatives/${encodeURIComponent(id)}`,
  audit: (id: string) => `#/initiatives/${encodeURIComponent(id)}/audit`,
};

function routeOf(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/';
  if (path === '/') return { page: 'inbox' };
  if (path === '/action-plan') return { page: 'action-plan' };
  const initiative = /^\/initiatives\/([0-9a-fA-F-]{36})(\/audit)?$/.exec(path);
  if (initiative) return { page: initiative[2] ? 'audit' : 'initiative', id: initiative[1].toLowerCase() };
  return { page: 'not-found' };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => routeOf(location.hash));
  useEffect(() => {
    const changed = () => setRoute(routeOf(location.hash));
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return route;
}
