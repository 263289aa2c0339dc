/** One stream per initiative (events.md). */
export const initiativeStreamId = (initiativeId: string) => `initiative-${initiativeId}`;
