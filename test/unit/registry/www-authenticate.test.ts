import { strict as assert } from 'node:assert';
import { parseWwwAuthenticate } from '../../../src/registry/www-authenticate';

describe('parseWwwAuthenticate', () => {
  const cases: Array<[string, ReturnType<typeof parseWwwAuthenticate>]> = [
    ['Basic realm="outerloop-test"', [{ scheme: 'basic', params: { realm: 'outerloop-test' } }]],
    [
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"',
      [
        {
          scheme: 'bearer',
          params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/nginx:pull' },
        },
      ],
    ],
    [
      'Bearer realm="https://x/oauth2/token", service="x.azurecr.io"',
      [{ scheme: 'bearer', params: { realm: 'https://x/oauth2/token', service: 'x.azurecr.io' } }],
    ],
    [
      'Basic realm="a", Bearer realm="b",error="invalid_token"',
      [
        { scheme: 'basic', params: { realm: 'a' } },
        { scheme: 'bearer', params: { realm: 'b', error: 'invalid_token' } },
      ],
    ],
    ['BEARER Realm=unquoted', [{ scheme: 'bearer', params: { realm: 'unquoted' } }]],
    ['Basic realm="with \\"quotes\\""', [{ scheme: 'basic', params: { realm: 'with "quotes"' } }]],
    ['', []],
  ];
  for (const [header, expected] of cases) {
    it(JSON.stringify(header), () => assert.deepEqual(parseWwwAuthenticate(header), expected));
  }
});
