/** One challenge of a `WWW-Authenticate` header: `Bearer realm="…",service="…",scope="…"`. */
export interface AuthChallenge {
  /** Lower-cased: `bearer`, `basic`. */
  scheme: string;
  /** Parameter names lower-cased. */
  params: Record<string, string>;
}

const CHALLENGE_START = /^\s*,?\s*([A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*)(?=\s|$)/;
const PARAM = /^\s*,?\s*([A-Za-z0-9!#$%&'*+.^_`|~-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/;

/** Parses a `WWW-Authenticate` header into its challenges (RFC 7235), tolerating registries' quirks. */
export function parseWwwAuthenticate(header: string): AuthChallenge[] {
  const challenges: AuthChallenge[] = [];
  let rest = header;
  while (rest.trim() !== '') {
    const start = CHALLENGE_START.exec(rest);
    if (!start) break;
    const challenge: AuthChallenge = { scheme: start[1].toLowerCase(), params: {} };
    challenges.push(challenge);
    rest = rest.slice(start[0].length);
    for (;;) {
      const param = PARAM.exec(rest);
      if (!param) break;
      challenge.params[param[1].toLowerCase()] = param[2] !== undefined ? param[2].replace(/\\(.)/g, '$1') : param[3];
      rest = rest.slice(param[0].length);
    }
    rest = rest.replace(/^\s*,/, '');
  }
  return challenges;
}
