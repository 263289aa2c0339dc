import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { ThrottlerLimitDetail } from '@nestjs/throttler/dist/throttler.guard.interface';
import { ProblemException } from './problem';

/**
 * A rate limit per subject (the token's `sub`; the client address before authentication), answered with
 * 429 too-many-requests and Retry-After. It runs after the auth guard, which sets the principal.
 */
/** The one throttler: health checks and metrics skip it by this name. */
export const RATE_LIMIT = 'per-subject';

@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected override async getTracker(request: Record<string, unknown>): Promise<string> {
    const principal = request.principal as { sub?: string } | undefined;
    return principal?.sub ? `sub:${principal.sub}` : `ip:${String(request.ip)}`;
  }

  protected override async throwThrottlingException(
    _context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    const retryAfter = Math.max(1, Math.ceil(detail.timeToBlockExpire || detail.timeToExpire));
    throw new ProblemException(
      'too-many-requests',
      `More than ${detail.limit} requests in ${Math.round(detail.ttl / 1000)} s`,
      undefined,
      { 'retry-after': String(retryAfter) },
    );
  }
}
