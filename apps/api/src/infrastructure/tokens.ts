/** Injection tokens of what the process wires from its configuration. */
export const ACCORD_CONFIG = Symbol('AccordConfig');
export const EVENT_STORE = Symbol('EventStore');
export const TOKEN_VERIFIER = Symbol('TokenVerifier');
export const PARTIES = Symbol('Parties');
export const CLOCK = Symbol('Clock');
export const INITIATIVE_DECISION_HANDLER = Symbol('InitiativeDecisionHandler');
export const READ_STORE = Symbol('ReadStore');
export const METRICS = Symbol('AccordMetrics');
export const READINESS_CHECKS = Symbol('ReadinessChecks');
export const LOG_KEYS = Symbol('LogKeys');
export const COSIGNATURES_DECISION_HANDLER = Symbol('CosignaturesDecisionHandler');
/** The process's checkpoint signer, or null where another process signs. */
export const CHECKPOINT_SIGNER = Symbol('CheckpointSigner');

export type Clock = () => Date;
