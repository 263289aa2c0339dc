import { createPublicKey, verify } from 'node:crypto';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventHash, GENESIS_HASH } from '@accord/audit';
import { generateSigningKey, PrivateJwk, publicJwk, signCommand, CommandName } from '@accord/trust';
import { accordVerify, MEMBERS, pythonVerify, startTestApp, TestApp } from './support';
import { captureStdout } from '../support/capture-stdout';
import { runCli } from '../../apps/cli/src/cli';

type Signer = { privateJwk: PrivateJwk; kid: string };

/**
 * Signed decisions (docs/trust.md §1–§3): with keys for every member state in the parties file, no state's
 * decision can be made or changed but with its own key — checked here also with node:crypto alone, not Accord's
 * JWS code.
 */
describe('Signed decisions', () => {
  const signers = new Map<string, Signer>();
  let revoked: Signer;
  let testApp: TestApp;
  let parties: string;

  beforeAll(async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const directory = mkdtempSync(join(tmpdir(), 'accord-keys-'));
    for (const state of MEMBERS)
      signers.set(state, { privateJwk: generateSigningKey('EdDSA'), kid: `${state}-1` });
    revoked = { privateJwk: generateSigningKey('EdDSA'), kid: 'KAZ-0' };
    const keysOf = (state: string) => {
      const own = signers.get(state) as Signer;
      const current = { ...publicJwk({ ...own.privateJwk, kid: own.kid }) };
      if (state !== 'KAZ') return [current];
      return [
        current,
        { ...publicJwk({ ...revoked.privateJwk, kid: revoked.kid }), notAfter: '2025-12-31T23:59:59Z' },
      ];
    };
    parties = join(directory, 'parties.json');
    writeFileSync(
      parties,
      JSON.stringify([
        ...MEMBERS.map((code) => ({ code, name: code, role: 'member', keys: keysOf(code) })),
        { code: 'HUN', name: 'Hungary', role: 'observer' },
      ]),
    );
    testApp = await startTestApp({ store: 'sqlite', env: { ACCORD_PARTIES_FILE: parties } });
  });
  afterAll(() => testApp.close());

  const now = () => Math.floor(Date.now() / 1000);
  const sign = (
    state: string,
    command: CommandName,
    initiativeId: string,
    body: Record<string, unknown>,
    options: { signer?: Signer; iat?: number; party?: string } = {},
  ) => {
    const { privateJwk, kid } = options.signer ?? (signers.get(state) as Signer);
    return signCommand({
      privateJwk,
      kid,
      alg: 'EdDSA',
      command,
      initiativeId,
      party: options.party ?? state,
      body,
      iat: options.iat ?? now(),
    });
  };
  const post = (path: string, body: object, auth: string) =>
    testApp.http().post(path).set('authorization', auth).send(body);
  const proposed = async () => {
    const id = randomUUID();
    await post(
      '/v1/initiatives',
      {
        initiativeId: id,
        title: 'CubeSat programme',
        summary: 'A constellation of small satellites built by the five universities.',
        category: 'space',
        proposingState: 'KAZ',
        participatingStates: MEMBERS,
        approvalRule: { kind: 'unanimity' },
        signOffDeadline: new Date(Date.now() + 30 * 86_400_000).toISOString(),
      },
      testApp.auth('secretariat'),
    ).expect(201);
    return id;
  };
  const proposalHashOf = async (id: string) =>
    (
      await testApp
        .http()
        .get(`/v1/initiatives/${id}/state?atRevision=0`)
        .set('authorization', testApp.auth('auditor'))
        .expect(200)
    ).body.proposalHash as string;
  const storedEvents = async (id: string) =>
    (await testApp.infrastructure.eventStore.readStream(`initiative-${id}`)).length;

  describe('when a state with keys signs off', () => {
    let id: string;
    let body: Record<string, unknown>;
    beforeAll(async () => {
      id = await proposed();
      body = {
        state: 'KAZ',
        decision: 'approve',
        proposalVersion: 1,
        proposalHash: await proposalHashOf(id),
      };
    });

    it('refuses an unsigned sign-off: 400 signature-required', async () => {
      const response = await post(
        `/v1/initiatives/${id}/sign-offs`,
        body,
        testApp.auth('focal-point', 'KAZ'),
      );
      expect({ status: response.status, code: response.body.code }).toEqual({
        status: 400,
        code: 'signature-required',
      });
    });

    it.each([
      ["another state's key", () => sign('KAZ', 'record-sign-off', id, body, { signer: signers.get('AZE') })],
      ['another body', () => sign('KAZ', 'record-sign-off', id, { ...body, decision: 'reject' })],
      ['another initiative', () => sign('KAZ', 'record-sign-off', randomUUID(), body)],
      ['another command', () => sign('KAZ', 'request-changes', id, body)],
      ['an iat ten minutes old', () => sign('KAZ', 'record-sign-off', id, body, { iat: now() - 600 })],
      ['a revoked kid', () => sign('KAZ', 'record-sign-off', id, body, { signer: revoked })],
      ['another party', () => sign('KAZ', 'record-sign-off', id, body, { party: 'AZE' })],
    ])('refuses a signature by %s: 400 invalid-signature, nothing stored', async (_, signature) => {
      const response = await post(
        `/v1/initiatives/${id}/sign-offs`,
        { ...body, signature: await signature() },
        testApp.auth('focal-point', 'KAZ'),
      );
      expect({ status: response.status, code: response.body.code }).toEqual({
        status: 400,
        code: 'invalid-signature',
      });
      expect(await storedEvents(id)).toBe(1);
    });

    it('records a valid signature: 201, the signature and the proposal hash in the event', async () => {
      const signature = await sign('KAZ', 'record-sign-off', id, body);
      await post(
        `/v1/initiatives/${id}/sign-offs`,
        { ...body, signature },
        testApp.auth('focal-point', 'KAZ'),
      ).expect(201);
      const [, event] = await testApp.infrastructure.eventStore.readStream(`initiative-${id}`);
      expect(event.metadata.schemaVersion).toBe(2);
      expect(event.data).toMatchObject({
        proposalHash: body.proposalHash,
        signature: { jws: signature, kid: 'KAZ-1', alg: 'EdDSA' },
      });
    });
  });

  describe('when the five states sign and the proposal is amended', () => {
    let id: string;
    let bundle: { events: { revision: number; type: string; data: Record<string, unknown> }[] } & Record<
      string,
      unknown
    >;
    beforeAll(async () => {
      id = await proposed();
      const hash = await proposalHashOf(id);
      for (const state of MEMBERS) {
        const body = { state, decision: 'approve', proposalVersion: 1, proposalHash: hash };
        const signature = await sign(state, 'record-sign-off', id, body);
        await post(
          `/v1/initiatives/${id}/sign-offs`,
          { ...body, signature },
          testApp.auth('focal-point', state),
        ).expect(201);
      }
      bundle = (
        await testApp
          .http()
          .get(`/v1/initiatives/${id}/audit-bundle`)
          .set('authorization', testApp.auth('auditor'))
      ).body;
    });

    it('approves the initiative', async () => {
      const audit = await testApp
        .http()
        .get(`/v1/initiatives/${id}/audit`)
        .set('authorization', testApp.auth('auditor'));
      expect(audit.body.verified).toBe(true);
      expect(audit.body.revisions.map((revision: { signature: string }) => revision.signature)).toEqual([
        'unsigned',
        ...MEMBERS.map(() => 'valid'),
        'unsigned',
      ]);
      expect(bundle.events[6].type).toBe('InitiativeApproved');
    });

    it('exports a bundle that verifies with accord verify, the Python verifier, and node:crypto alone', async () => {
      expect(await accordVerify(bundle, testApp.dataDir)).toMatchObject({ code: 0 });
      expect(pythonVerify(bundle, testApp.dataDir).code).toBe(0);
      // Independent Ed25519: the JWS signing input and signature, checked against the public keys only.
      const keys = (bundle.keys as { keys: { kid: string; x: string; party: string }[] }).keys;
      for (const event of bundle.events.slice(1, 6)) {
        const { jws, kid } = event.data.signature as { jws: string; kid: string };
        const [header, payload, signature] = jws.split('.');
        const key = keys.find((candidate) => candidate.kid === kid) as { x: string; party: string };
        const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: key.x }, format: 'jwk' });
        expect(
          verify(null, Buffer.from(`${header}.${payload}`), publicKey, Buffer.from(signature, 'base64url')),
        ).toBe(true);
        const statement = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
        expect(statement).toMatchObject({ command: 'record-sign-off', initiativeId: id, party: key.party });
        expect(statement.body.decision).toBe(event.data.decision);
      }
    });

    it("names the revision of a decision altered with every hash recomputed, against the auditor's trusted keys", async () => {
      const altered = structuredClone(bundle);
      altered.events[3].data.decision = 'reject';
      let prevHash = GENESIS_HASH;
      for (const event of altered.events as unknown as Record<string, never>[]) {
        const record = event as unknown as {
          revision: number;
          eventId: string;
          type: string;
          occurredAt: string;
          actor: { sub: string; role: string; country: string | null };
          data: Record<string, unknown>;
          metadata: { schemaVersion: number };
          prevHash: string;
          hash: string;
        };
        record.prevHash = prevHash;
        record.hash = eventHash({
          streamId: altered.streamId as string,
          revision: record.revision,
          eventId: record.eventId,
          type: record.type,
          schemaVersion: record.metadata.schemaVersion,
          occurredAt: record.occurredAt,
          actor: record.actor,
          data: record.data,
          prevHash,
        });
        prevHash = record.hash;
      }
      altered.headHash = prevHash;
      // The chain alone is no proof: the auditor's own verifier of hashes accepts the rewrite.
      expect(pythonVerify(altered, testApp.dataDir).code).toBe(0);
      const trusted = join(testApp.dataDir, 'trusted.json');
      writeFileSync(trusted, JSON.stringify(bundle.keys));
      const file = join(testApp.dataDir, 'altered.json');
      writeFileSync(file, JSON.stringify(altered));
      const result = await captureStdout(() => runCli(['verify', file, '--keys', trusted]));
      expect(result.code).toBe(1);
      expect(result.output).toMatch(/^signature invalid at revision 3: .*decision/m);
    });

    it('refuses a sign-off signed over the text an amendment replaced: 409 stale-proposal-version', async () => {
      const open = await proposed();
      const before = await proposalHashOf(open);
      await post(
        `/v1/initiatives/${open}/amendments`,
        { proposalVersion: 1, summary: 'A constellation of eight small satellites.' },
        testApp.auth('secretariat'),
      ).expect(201);
      const after = (
        await testApp
          .http()
          .get(`/v1/initiatives/${open}/state?atRevision=1`)
          .set('authorization', testApp.auth('auditor'))
      ).body.proposalHash;
      expect(after).not.toBe(before);
      const body = { state: 'TUR', decision: 'approve', proposalVersion: 2, proposalHash: before };
      const response = await post(
        `/v1/initiatives/${open}/sign-offs`,
        { ...body, signature: await sign('TUR', 'record-sign-off', open, body) },
        testApp.auth('focal-point', 'TUR'),
      );
      expect({ status: response.status, code: response.body.code }).toEqual({
        status: 409,
        code: 'stale-proposal-version',
      });
    });
  });
});
