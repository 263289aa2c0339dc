import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { ThrottlerLimitDetail } from '@nestjs/throttler/dist/throttler.guard.interface';
import { ProblemException } from './problem';

/** The one throttler: health checks and metrics skip it by this name. */
export const RATE_LIMIT = 'per-subject';

/**
 * A rate limit per subject (the token's `sub`; the client address before authentication), answered with
 * 429 too-many-requests and Retry-After. It runs after the auth guard, which sets the principal; a request the
 * auth guard refuses never gets here, and is counted by the auth guard itself (`countRefused`).
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  /**
   * Counts a request refused authentication against its client address, and throws 429 over the limit: else a
   * flood of bad tokens from one address would never be limited.
   */
  async countRefused(context: ExecutionContext): Promise<void> {
    await this.canActivate(context);
  }

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
