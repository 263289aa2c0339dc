import { ACCORD_V8_FLAGS, missingV8Flags } from './v8-flags';

describe('missingV8Flags', () => {
  const wanted = ['--max-semi-space-size=16', '--heap-growing-percent=100'];

  it('names every flag a plain `node main.js` lacks', () => {
    expect(missingV8Flags(wanted, [])).toEqual(wanted);
    expect(missingV8Flags(ACCORD_V8_FLAGS, [])).toEqual(ACCORD_V8_FLAGS);
  });

  it('none once the process runs with them, so that it relaunches once', () => {
    expect(missingV8Flags(wanted, [...wanted, '--cpu-prof'])).toEqual([]);
  });

  it('leaves a flag set on the command line or in NODE_OPTIONS, with any value or spelling, to that value', () => {
    expect(missingV8Flags(wanted, ['--max-semi-space-size=8'])).toEqual(['--heap-growing-percent=100']);
    expect(missingV8Flags(wanted, ['--max_semi_space_size=32'])).toEqual(['--heap-growing-percent=100']);
    expect(missingV8Flags(wanted, [], ' --heap-growing-percent=50  --max-semi-space-size=4')).toEqual([]);
  });
});
