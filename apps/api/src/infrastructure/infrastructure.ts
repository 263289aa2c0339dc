import { hs256Verifier, jwksVerifier, TokenVerifier } from '@accord/auth';
import { AccordConfig, resolveJwtSecret } from '@accord/config';
import { CheckpointCosigned, Cosignatures, Parties, RecordCosignature } from '@accord/domain';
import { DecisionHandler, EventStore } from '@accord/event-store';
import { InitiativeDecisionHandler, openRuntime, Runtime } from '@accord/runtime';
import type { Logger } from 'pino';
import { Clock } from './tokens';

/** Everything the process builds from its configuration, outside Nest so that it is closed in order. */
export interface Infrastructure extends Runtime {
  config: AccordConfig;
  parties: Parties;
  verifier: TokenVerifier;
  clock: Clock;
}

export function tokenVerifier(config: AccordConfig): TokenVerifier {
  const audience = { issuer: config.jwt.issuer, audience: config.jwt.audience };
  return config.jwt.kind === 'jwks'
    ? jwksVerifier(config.jwt.jwksUrl, audience, config.parties)
    : hs256Verifier(resolveJwtSecret(config).secret, audience, config.parties);
}

export async function openInfrastructure(
  config: AccordConfig,
  logger: Logger,
  overrides: { eventStore?: EventStore } = {},
): Promise<Infrastructure> {
  return {
    ...(await openRuntime(config, logger, overrides)),
    config,
    parties: config.parties,
    verifier: tokenVerifier(config),
    clock: () => new Date(),
  };
}

export type { InitiativeDecisionHandler };

export type CosignaturesDecisionHandler = DecisionHandler<
  RecordCosignature,
  CheckpointCosigned,
  Cosignatures
>;
