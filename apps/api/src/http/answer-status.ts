import { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { map, Observable } from 'rxjs';

/** What a command's handler answers: the status (201 appended, 200 an idempotent repeat) and the body. */
export interface StatusAndBody<Body> {
  status: number;
  body: Body;
}

/** Sends a handler's `StatusAndBody` as the reply's status and body, with a `Location` when one is derived. */
export class AnswerStatus<Body> implements NestInterceptor<StatusAndBody<Body>, Body> {
  constructor(private readonly location?: (body: Body) => string) {}

  intercept(context: ExecutionContext, next: CallHandler<StatusAndBody<Body>>): Observable<Body> {
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    return next.handle().pipe(
      map((response) => {
        void reply.status(response.status);
        if (this.location) void reply.header('location', this.location(response.body));
        return response.body;
      }),
    );
  }
}
