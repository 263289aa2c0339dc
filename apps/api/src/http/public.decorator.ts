import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'accord:public';

/** Marks a route that answers without a token (health checks, API documentation). */
export const Public = () => SetMetadata(IS_PUBLIC, true);
