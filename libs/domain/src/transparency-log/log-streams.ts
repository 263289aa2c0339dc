/**
 * The transparency log's own streams (docs/trust.md §4): the checkpoints the log signs, and per checkpoint size the
 * witnesses' cosignatures. They are not initiatives: no leaf of the tree, never folded into an initiative.
 */
export const LOG_STREAM_PREFIX = 'log-';
export const LOG_CHECKPOINTS_STREAM = `${LOG_STREAM_PREFIX}checkpoints`;
const COSIGNATURES_PREFIX = `${LOG_STREAM_PREFIX}cosignatures-`;

/** The stream of the cosignatures of the checkpoints of one tree size. */
export function cosignaturesStreamId(treeSize: number): string {
  return `${COSIGNATURES_PREFIX}${treeSize}`;
}

export function isLogStream(streamId: string): boolean {
  return streamId.startsWith(LOG_STREAM_PREFIX);
}
