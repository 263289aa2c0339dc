import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'accord:public';

/** Marks a route that answers without a token (health checks, API documentation). */
export const Public = () => SetMetadata(IS_PUBLIC, true);

export const OPEN_TO_WITNESSES = 'accord:open-to-witnesses';

/**
 * Marks what a witness token may call: the transparency log and the parties. A witness watches the log for its
 * state; it reads no initiative.
 */
export const OpenToWitnesses = () => SetMetadata(OPEN_TO_WITNESSES, true);
