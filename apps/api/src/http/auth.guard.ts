import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { AuthenticationError, Principal, TokenVerifier } from '@accord/auth';
import { TOKEN_VERIFIER } from '../infrastructure/tokens';
import { ProblemException } from './problem';
import { IS_PUBLIC, OPEN_TO_WITNESSES } from './public.decorator';
import { RateLimitGuard } from './rate-limit.guard';

export type AuthenticatedRequest = FastifyRequest & { principal: Principal };

// The scheme is case-insensitive (RFC 9110, section 11.1).
const BEARER_SCHEME = /^Bearer /i;
const BEARER = /^Bearer ([\w-]+\.[\w-]+\.[\w-]*)$/i;

/** All a client learns of a refused token: which check failed is logged, never answered. */
export const TOKEN_REFUSED = 'The bearer token was refused';

/**
 * Every route needs a valid bearer token unless marked public. A request without one counts against the rate
 * limit of its client address before it is refused: over the limit it is answered 429, not 401.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(TOKEN_VERIFIER) private readonly verifier: TokenVerifier,
    private readonly rateLimit: RateLimitGuard,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]))
      return true;
    try {
      return await this.authenticate(context);
    } catch (error) {
      if (error instanceof ProblemException && error.code === 'unauthenticated')
        await this.rateLimit.countRefused(context);
      throw error;
    }
  }

  private async authenticate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers.authorization;
    if (typeof header !== 'string' || !BEARER_SCHEME.test(header))
      throw unauthenticated('A bearer token is required');
    const token = BEARER.exec(header)?.[1];
    if (!token) throw refused(request, 'The bearer token is not a JWT');
    try {
      request.principal = await this.verifier.verify(token);
    } catch (error) {
      if (error instanceof AuthenticationError) throw refused(request, error.message);
      throw error;
    }
    request.log = request.log.child({ sub: request.principal.sub, role: request.principal.role });
    const targets = [context.getHandler(), context.getClass()];
    if (
      request.principal.role === 'witness' &&
      !this.reflector.getAllAndOverride<boolean>(OPEN_TO_WITNESSES, targets)
    )
      throw new ProblemException('forbidden', 'A witness token reads and cosigns the transparency log only');
    return true;
  }
}

function refused(request: FastifyRequest, reason: string): ProblemException {
  request.log.info({ reason }, 'bearer token refused');
  return unauthenticated(TOKEN_REFUSED);
}

function unauthenticated(detail: string): ProblemException {
  return new ProblemException('unauthenticated', detail, undefined, { 'www-authenticate': 'Bearer' });
}
