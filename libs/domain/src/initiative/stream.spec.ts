import { initiativeIdOf, initiativeStreamId } from './stream';

describe('an initiative stream id', () => {
  it('names the initiative it holds', () =>
    expect(initiativeIdOf(initiativeStreamId('7b0a3c52-1d7e-4c55-9d0c-0f4a2f6f9e11'))).toBe(
      '7b0a3c52-1d7e-4c55-9d0c-0f4a2f6f9e11',
    ));

  it('names no initiative for a stream of another kind', () =>
    expect(initiativeIdOf('$idempotency-abc')).toBeNull());
});
