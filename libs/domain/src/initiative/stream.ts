/** The prefix of every initiative's stream (events.md: one stream per initiative, 0-based revisions). */
export const INITIATIVE_STREAM_PREFIX = 'initiative-';

export function initiativeStreamId(initiativeId: string): string {
  return `${INITIATIVE_STREAM_PREFIX}${initiativeId}`;
}

/** The initiative a stream holds; null for a stream of another kind. */
export function initiativeIdOf(streamId: string): string | null {
  return streamId.startsWith(INITIATIVE_STREAM_PREFIX)
    ? streamId.slice(INITIATIVE_STREAM_PREFIX.length)
    : null;
}
