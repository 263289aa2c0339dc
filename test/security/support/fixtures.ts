import { randomUUID } from 'node:crypto';
import { createHmac } from 'node:crypto';
import {
  focalPoint,
  fundBoard,
  HttpClient,
  proposalBody,
  secretariat,
  tokenFor,
  Who,
} from '../../reliability/support/http';
import { SECRET } from '../../reliability/support/server';

/** Every kind of caller: the five members' focal points, an observer's, the secretariat, fund board, auditor. */
export const PRINCIPALS: Record<string, Who> = {
  secretariat: { role: 'secretariat' },
  'fund-board': { role: 'fund-board' },
  auditor: { role: 'auditor' },
  'fp-AZE': focalPoint('AZE'),
  'fp-KAZ': focalPoint('KAZ'),
  'fp-KGZ': focalPoint('KGZ'),
  'fp-TUR': focalPoint('TUR'),
  'fp-UZB': focalPoint('UZB'),
  'fp-HUN': focalPoint('HUN'),
};

/** Tokens signed by the suite's secret for every principal, by label. */
export async function principalTokens(): Promise<Record<string, string>> {
  const entries = await Promise.all(
    Object.entries(PRINCIPALS).map(async ([label, who]) => [label, await tokenFor(who)] as const),
  );
  return Object.fromEntries(entries);
}

const b64 = (value: object | string) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** Signs header.payload with HMAC-SHA256 under any secret: forged tokens. */
export function hs256(header: object, payload: object, secret: string | Buffer = SECRET): string {
  const unsigned = `${b64(header)}.${b64(payload)}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

export const now = () => Math.floor(Date.now() / 1000);

export const validClaims = (overrides: Record<string, unknown> = {}) => ({
  sub: 'forger',
  role: 'secretariat',
  iss: 'accord',
  aud: 'accord-api',
  iat: now(),
  exp: now() + 600,
  ...overrides,
});

/** Authorization header values that must all be refused with 401. */
export function garbageAuthorizations(valid: string): string[] {
  const [header, payload, signature] = valid.split('.');
  return [
    'Bearer',
    'Bearer ',
    'Bearer abc',
    'Bearer a.b.c',
    'Bearer ..',
    `bearer ${valid}`,
    `Bearer  ${valid}`,
    `Bearer ${valid} `,
    `Bearer ${valid}x`,
    `Bearer ${header}.${payload}.`,
    `Bearer ${header}.${payload}`,
    `Bearer ${header}.${payload}.${signature.slice(0, -2)}`,
    `Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`,
    `Bearer ${hs256({ alg: 'HS256' }, validClaims(), 'another-secret-that-is-long-enough-for-hs256')}`,
    `Bearer ${hs256({ alg: 'HS256' }, validClaims({ exp: now() - 3600 }))}`,
    'Basic dXNlcjpwYXNzd29yZA==',
    `Token ${valid}`,
    `Bearer ${'A'.repeat(4000)}.${'B'.repeat(4000)}.${'C'.repeat(100)}`,
  ];
}

export interface Fixtures {
  /** Initiatives by the status they are left in. */
  byStatus: Record<string, string>;
  ids: string[];
  cursors: string[];
}

/** Initiatives in every status, made through the API: the targets the fuzzer's commands and reads aim at. */
export async function makeFixtures(client: HttpClient): Promise<Fixtures> {
  const post = async (path: string, body: unknown, who: Who) => {
    const response = await client.post(path, body, { token: await tokenFor(who) });
    if (response.status >= 300) throw new Error(`fixture ${path}: ${response.status} ${response.text}`);
    return response;
  };
  const propose = async (overrides: Record<string, unknown> = {}) => {
    const id = randomUUID();
    await post(
      '/v1/initiatives',
      proposalBody({ initiativeId: id, participatingStates: ['KAZ', 'AZE', 'TUR'], ...overrides }),
      secretariat,
    );
    return id;
  };
  const sign = (id: string, state: string, decision = 'approve', proposalVersion = 1) =>
    post(`/v1/initiatives/${id}/sign-offs`, { state, decision, proposalVersion }, focalPoint(state));

  const byStatus: Record<string, string> = {};
  byStatus['awaiting-sign-offs'] = await propose();
  byStatus['awaiting-sign-offs (quorum)'] = await propose({
    approvalRule: { kind: 'quorum', minApprovals: 2 },
    participatingStates: ['KAZ', 'AZE', 'TUR', 'UZB', 'KGZ'],
  });
  byStatus['awaiting-sign-offs (one signed)'] = await propose();
  await sign(byStatus['awaiting-sign-offs (one signed)'], 'AZE');
  byStatus['changes-requested'] = await propose();
  await post(
    `/v1/initiatives/${byStatus['changes-requested']}/change-requests`,
    { state: 'TUR', proposalVersion: 1, comment: 'More detail' },
    focalPoint('TUR'),
  );
  byStatus['amended (version 2)'] = await propose();
  await post(
    `/v1/initiatives/${byStatus['amended (version 2)']}/amendments`,
    { proposalVersion: 1, summary: 'Amended' },
    secretariat,
  );
  for (const status of ['approved', 'funded', 'funding-declined']) {
    byStatus[status] = await propose();
    for (const state of ['KAZ', 'AZE', 'TUR']) await sign(byStatus[status], state);
  }
  await post(
    `/v1/initiatives/${byStatus.funded}/funding-decision`,
    { decision: 'granted', fundingBody: 'OTS Fund' },
    fundBoard,
  );
  await post(
    `/v1/initiatives/${byStatus['funding-declined']}/funding-decision`,
    { decision: 'declined', fundingBody: 'OTS Fund' },
    fundBoard,
  );
  byStatus.rejected = await propose();
  await sign(byStatus.rejected, 'AZE', 'reject');
  byStatus.withdrawn = await propose();
  await post(`/v1/initiatives/${byStatus.withdrawn}/withdrawal`, { reason: 'Superseded' }, secretariat);
  byStatus['not participating: KAZ, UZB only'] = await propose({ participatingStates: ['KAZ', 'UZB'] });

  const auditorToken = await tokenFor({ role: 'auditor' });
  const page = await client.get('/v1/initiatives?limit=1', { token: auditorToken });
  return {
    byStatus,
    ids: Object.values(byStatus),
    cursors: page.body?.nextCursor ? [page.body.nextCursor] : [],
  };
}
