import type { Problem } from './types';

/** An answer of the API that is not a success: its problem (RFC 9457), or what the network said. */
export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title);
  }
}

export interface Api {
  get<T>(path: string): Promise<T>;
  text(path: string): Promise<string>;
  post<T>(path: string, body: unknown): Promise<T>;
}

/**
 * The public /v1 API, same origin, with the session's bearer token. A refused token (401) ends the session: the
 * console asks to sign in again instead of showing errors.
 */
export function apiWith(token: string, onUnauthenticated: () => void): Api {
  const call = async (path: string, init: RequestInit = {}): Promise<Response> => {
    let response: Response;
    try {
      response = await fetch(path, {
        ...init,
        headers: { authorization: `Bearer ${token}`, ...init.headers },
        cache: 'no-store',
      });
    } catch {
      throw new ApiError({ status: 0, code: 'network', title: 'The server cannot be reached' });
    }
    if (response.status === 401) onUnauthenticated();
    if (!response.ok) throw new ApiError(await problemOf(response));
    return response;
  };
  return {
    get: async (path) => (await call(path)).json(),
    text: async (path) => (await call(path)).text(),
    post: async (path, body) =>
      (
        await call(path, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        })
      ).json(),
  };
}

async function problemOf(response: Response): Promise<Problem> {
  try {
    const problem = (await response.json()) as Problem;
    if (typeof problem.code === 'string') return problem;
  } catch {
    // not problem+json: described by its status below
  }
  return { status: response.status, code: `http-${response.status}`, title: response.statusText };
}

/** Every page of a list (at most 200 items each), following nextCursor. */
export async function allPages<Item>(
  api: Api,
  path: string,
  params: Record<string, string> = {},
): Promise<Item[]> {
  const items: Item[] = [];
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({ ...params, limit: '200', ...(cursor ? { cursor } : {}) });
    const page: { items: Item[]; nextCursor: string | null } = await api.get(`${path}?${query}`);
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}
