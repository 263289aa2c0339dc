import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CommandName, signCommand } from '@accord/trust';
import { KeyFile, readKeyFile } from './sign';
import { mintHs256Token, TokenRole } from '@accord/auth';
import { resolveJwtSecret } from '@accord/config';
import { loadConfigOrExit } from '@accord/runtime';

const MEMBERS = ['AZE', 'KAZ', 'KGZ', 'TUR', 'UZB'];
const inDays = (days: number) => new Date(Date.now() + days * 24 * 3600 * 1000).toISOString();

interface Step {
  as: [TokenRole, string?];
  path: string;
  body: object;
}

/**
 * Initiatives of the OTS 2025–2026 action plan, each at its own stage. Fixed ids and idempotency keys make
 * a second run harmless.
 */
function actionPlan(): { title: string; steps: Step[] }[] {
  const id = (n: number) => `0f7a1c2e-5b3d-4e8f-9a6b-0000000000${n.toString().padStart(2, '0')}`;
  const propose = (n: number, body: object, as: Step['as'] = ['secretariat']): Step => ({
    as,
    path: '/v1/initiatives',
    body: { initiativeId: id(n), ...body },
  });
  const signOff = (
    n: number,
    state: string,
    decision = 'approve',
    proposalVersion = 1,
    comment?: string,
  ): Step => ({
    as: ['focal-point', state],
    path: `/v1/initiatives/${id(n)}/sign-offs`,
    body: { state, decision, proposalVersion, ...(comment ? { comment } : {}) },
  });
  return [
    {
      title: 'Pan-Turkic Patent Organization: approved unanimously and funded',
      steps: [
        propose(
          1,
          {
            title: 'Pan-Turkic Patent Organization',
            summary: 'A joint patent office examining and granting patents valid in every member state.',
            category: 'intellectual-property',
            proposingState: 'KAZ',
            participatingStates: MEMBERS,
            approvalRule: { kind: 'unanimity' },
            signOffDeadline: inDays(60),
            requestedFunding: { amount: '1500000.00', currency: 'USD' },
          },
          ['focal-point', 'KAZ'],
        ),
        ...MEMBERS.map((state) => signOff(1, state)),
        {
          as: ['fund-board'],
          path: `/v1/initiatives/${id(1)}/funding-decision`,
          body: { decision: 'granted', fundingBody: 'OTS Research, Development and Innovation Fund' },
        },
      ],
    },
    {
      title:
        'Joint OTS Research, Development and Innovation Fund: approved by quorum, awaiting the fund board',
      steps: [
        propose(2, {
          title: 'Joint OTS Research, Development and Innovation Fund',
          summary:
            'A common fund co-financing research, development and innovation projects of member states.',
          category: 'research-and-innovation',
          proposingState: 'TUR',
          participatingStates: MEMBERS,
          approvalRule: { kind: 'quorum', minApprovals: 4 },
          signOffDeadline: inDays(45),
          requestedFunding: { amount: '5000000.00', currency: 'USD' },
        }),
        signOff(2, 'TUR'),
        signOff(2, 'AZE'),
        signOff(2, 'UZB'),
        signOff(2, 'KGZ', 'abstain', 1, 'Pending our parliament’s budget review'),
        signOff(2, 'KAZ'),
      ],
    },
    {
      title: 'OTS CubeSat programme: collecting sign-offs',
      steps: [
        propose(3, {
          title: 'OTS CubeSat programme',
          summary: 'A jointly built CubeSat constellation for Earth observation and student training.',
          category: 'space',
          proposingState: 'AZE',
          participatingStates: ['AZE', 'KAZ', 'TUR', 'UZB'],
          approvalRule: { kind: 'unanimity' },
          signOffDeadline: inDays(30),
          requestedFunding: { amount: '2400000.00', currency: 'EUR' },
        }),
        signOff(3, 'AZE'),
        signOff(3, 'TUR'),
      ],
    },
    {
      title: 'Turkic Chamber of Commerce and Industry investment platform: amended after a change request',
      steps: [
        propose(4, {
          title: 'Turkic Chamber of Commerce and Industry investment platform',
          summary: 'An online platform matching investors with projects across member states.',
          category: 'industry-and-trade',
          proposingState: 'UZB',
          participatingStates: MEMBERS,
          approvalRule: { kind: 'quorum', minApprovals: 3 },
          signOffDeadline: inDays(40),
        }),
        signOff(4, 'UZB'),
        {
          as: ['focal-point', 'KGZ'],
          path: `/v1/initiatives/${id(4)}/change-requests`,
          body: { state: 'KGZ', proposalVersion: 1, comment: 'Please add SME access criteria.' },
        },
        {
          as: ['secretariat'],
          path: `/v1/initiatives/${id(4)}/amendments`,
          body: {
            proposalVersion: 1,
            summary:
              'An online platform matching investors with projects across member states, open to SMEs.',
            category: 'sme-support',
          },
        },
        signOff(4, 'UZB', 'approve', 2),
      ],
    },
    {
      title: 'AI and Digital Development showcase for the 2026 Turkestan summit: just proposed',
      steps: [
        propose(5, {
          title: 'Artificial Intelligence and Digital Development showcase, Turkestan summit 2026',
          summary:
            'A showcase of member states’ AI and digital government projects at the 2026 summit in Turkestan.',
          category: 'artificial-intelligence',
          proposingState: 'KAZ',
          participatingStates: MEMBERS,
          approvalRule: { kind: 'quorum', minApprovals: 3 },
          signOffDeadline: inDays(20),
          requestedFunding: { amount: '350000.00', currency: 'USD' },
        }),
      ],
    },
  ];
}

/** The command a step's route takes, as a signed statement names it. */
function commandOf(path: string): CommandName {
  const route = path.split('/')[4] ?? '';
  const byRoute: Record<string, CommandName> = {
    '': 'propose-initiative',
    'sign-offs': 'record-sign-off',
    'change-requests': 'request-changes',
    amendments: 'amend-initiative',
    withdrawal: 'withdraw-initiative',
    'funding-decision': 'record-funding-decision',
  };
  return byRoute[route];
}

/** The private keys in a folder, by party: the files `accord keys generate` wrote. */
function signingKeys(directory: string): Map<string, KeyFile> {
  const keys = new Map<string, KeyFile>();
  for (const name of readdirSync(directory).filter((file) => file.endsWith('.private.jwk.json'))) {
    const key = readKeyFile(join(directory, name));
    if (typeof key === 'string') throw new Error(`${name}: ${key}`);
    keys.set(key.party, key);
  }
  return keys;
}

/**
 * `accord demo [--url URL] [--keys DIR]`: fills a running server with a living portfolio. With --keys, every
 * decision of a party whose private key is in DIR is signed with it (the server's parties file holding the public
 * keys: `accord keys parties DIR`), sign-offs and change requests naming the hash of the text they decide on.
 */
export async function demoCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { url: { type: 'string', default: 'http://127.0.0.1:3000' }, keys: { type: 'string' } },
  });
  const keys = values.keys === undefined ? new Map<string, KeyFile>() : signingKeys(values.keys);
  const config = loadConfigOrExit();
  const { secret } = resolveJwtSecret(config);
  const token = (role: TokenRole, country?: string) =>
    mintHs256Token(secret, {
      role,
      country,
      sub: `demo-${role}${country ? `-${country.toLowerCase()}` : ''}`,
      issuer: config.jwt.issuer,
      audience: config.jwt.audience,
      expiresIn: 600,
    });
  /** The step's body, signed when its party's key is at hand. */
  const bodyOf = async ({ as: [role, country], path, body }: Step): Promise<object> => {
    const key = keys.get(role === 'focal-point' ? (country as string) : role);
    if (!key) return body;
    const command = commandOf(path);
    const initiativeId = path.split('/')[3] ?? (body as { initiativeId: string }).initiativeId;
    const decides = command === 'record-sign-off' || command === 'request-changes';
    const statement = decides ? { ...body, proposalHash: await proposalHashOf(initiativeId) } : body;
    const signature = await signCommand({
      privateJwk: key,
      kid: key.kid,
      alg: key.alg,
      command,
      initiativeId,
      party: key.party,
      body: statement as Record<string, unknown>,
      iat: Math.floor(Date.now() / 1000),
    });
    return { ...statement, signature };
  };
  const proposalHashOf = async (initiativeId: string): Promise<string> => {
    const at = encodeURIComponent(new Date().toISOString());
    const response = await fetch(`${values.url}/v1/initiatives/${initiativeId}/state?at=${at}`, {
      headers: { authorization: `Bearer ${await token('auditor')}` },
    });
    return ((await response.json()) as { proposalHash: string }).proposalHash;
  };
  for (const [number, initiative] of actionPlan().entries()) {
    for (const [index, step] of initiative.steps.entries()) {
      const response = await fetch(`${values.url}${step.path}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${await token(...step.as)}`,
          'content-type': 'application/json',
          'idempotency-key': `demo-${number}-${index}`,
        },
        body: JSON.stringify(await bodyOf(step)),
      });
      // 409 on a second run: the step happened before (e.g. a funding decision already recorded).
      if (!response.ok && response.status !== 409) {
        process.stderr.write(
          `${initiative.title}: ${step.path} answered ${response.status} ${await response.text()}\n`,
        );
        return 1;
      }
    }
    process.stdout.write(`✓ ${initiative.title}\n`);
  }
  process.stdout.write(`Open ${values.url}/v1/initiatives with any token to see the portfolio.\n`);
  return 0;
}
