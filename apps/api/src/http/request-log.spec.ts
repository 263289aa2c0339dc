import { redactUrl } from './request-log';

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJl';

describe('redactUrl', () => {
  it.each([
    ['/v1/parties', '/v1/parties'],
    ['/v1/initiatives?limit=5&status=approved', '/v1/initiatives?limit=5&status=approved'],
    [`/v1/parties?access_token=${JWT}`, '/v1/parties?access_token=[redacted]'],
    ['/v1/parties?token=opaque&limit=5', '/v1/parties?token=[redacted]&limit=5'],
    ['/v1/parties?Access%5FToken=opaque', '/v1/parties?Access%5FToken=[redacted]'],
    [
      '/v1/parties?api-key=k&password=p&client_secret=s',
      '/v1/parties?api-key=[redacted]&password=[redacted]&client_secret=[redacted]',
    ],
    [`/v1/parties?q=${JWT}`, '/v1/parties?q=[redacted]'],
    [`/v1/parties?next=${encodeURIComponent(`https://x.org/?t=${JWT}`)}`, '/v1/parties?next=[redacted]'],
    [`/v1/parties?q=a%2Eb%2Ec`, '/v1/parties?q=[redacted]'],
    [`/v1/parties?${JWT}`, '/v1/parties?[redacted]'],
    ['/v1/parties?q=%E0%A4%A', '/v1/parties?q=%E0%A4%A'],
    [
      '/v1/initiatives/x/state?at=2030-01-01T00:00:00.000Z',
      '/v1/initiatives/x/state?at=2030-01-01T00:00:00.000Z',
    ],
  ])('logs %s as %s', (url, logged) => expect(redactUrl(url)).toBe(logged));
});
