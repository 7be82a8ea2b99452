import { dump } from 'js-yaml';
import { prng } from './adversarial';

/**
 * Generated compose documents for the differential test against Compose v2: merges of several
 * files, extends (same file and another), include, interpolation (defaults, alternatives, `$$`),
 * env files, profiles, short and long syntaxes, and a share of documents Compose must refuse
 * (undefined dependencies, cycles, a missing extends, a required variable unset, bad ports, a
 * dependency disabled by its profile). Every name carries the document's id, so that many
 * documents can be merged into one Compose call (`-f` of all their files, one project folder,
 * one `.env` holding every document's variables) and still read as they read alone.
 */

/** One generated document: its files (in the shared folder), the `-f` order, the active profiles. */
export interface CorpusDocument {
  id: string;
  files: Record<string, string>;
  composeFiles: string[];
  profiles: string[];
  /** `.env` lines this document adds to the shared one. */
  dotenv: string[];
  /** What the generator meant to break, if anything (for the report; the oracle decides). */
  broken?: string;
}

type Service = Record<string, unknown>;

/** Generates `count` documents from `seed`, a fraction `brokenShare` of them deliberately invalid. */
export function generateCorpus(count: number, seed: number, brokenShare = 0.08): CorpusDocument[] {
  const random = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const chance = (p: number): boolean => random() < p;
  const docs: CorpusDocument[] = [];
  for (let n = 0; n < count; n++) {
    const id = `d${n}`;
    const v = (name: string): string => `${id.toUpperCase()}_${name}`;
    const files: Record<string, string> = {};
    const dotenv = [`${v('IMG')}=example/${id}:1.${n}`, `${v('PORT')}=${8000 + n}`, `${v('EMPTY')}=`, `${v('WORD')}="quoted word"`];
    const names = [`${id}a`, `${id}b`, `${id}c`].slice(0, 1 + Math.floor(random() * 3));
    const services: Record<string, Service> = {};
    const profiles: string[] = [];
    const volumes: Record<string, unknown> = {};
    const secrets: Record<string, unknown> = {};
    for (const [i, name] of names.entries()) {
      const s: Service = {};
      s['image'] = pick([
        `example/${name}:1`,
        `\${${v('IMG')}}`,
        `\${${v('NOPE')}:-fallback/${name}:2}`,
        `\${${v('IMG')}:+alt/${name}:3}`,
        `\${${v('EMPTY')}:-empty/${name}}`,
      ]);
      if (chance(0.15))
        s['build'] = chance(0.5)
          ? `./${name}`
          : { context: `./${name}`, dockerfile: 'Dockerfile.dev', target: 'dev', args: { A: '1', [`${v('ARG')}`]: null } };
      if (chance(0.5)) s['command'] = chance(0.5) ? `echo $$HOME ${name} "two words"` : ['run', `--port=\${${v('PORT')}}`, '$$LITERAL'];
      if (chance(0.2)) s['entrypoint'] = ['/bin/sh', '-c'];
      if (chance(0.6)) {
        s['environment'] = chance(0.5)
          ? [`A_${i}=1`, `B_${i}=\${${v('WORD')}}`, `C_${i}`, `D_${i}=\${${v('NOPE')}-dflt}`]
          : { [`A_${i}`]: 'x', [`N_${i}`]: 5, [`E_${i}`]: `\${${v('EMPTY')}:-was-empty}` };
      }
      if (chance(0.3)) {
        files[`${name}.env`] =
          `# env file of ${name}\nF_${i}=from-file\nG_${i}="quoted # not a comment"\nH_${i}=\${${v('PORT')}}\nexport X_${i}=exported\n`;
        s['env_file'] = chance(0.5)
          ? `./${name}.env`
          : [
              { path: `./${name}.env`, required: true },
              { path: `./${name}-missing.env`, required: false },
            ];
      }
      if (chance(0.6)) {
        s['ports'] = [pick(['8080:80', `\${${v('PORT')}}:80`, '127.0.0.1:9000:9000/udp', '3000', '8000-8001:80-81', '0.0.0.0:443:443'])];
        if (chance(0.3))
          s['ports'] = [...(s['ports'] as unknown[]), { target: 5000 + i, published: String(6000 + n), protocol: 'tcp', mode: 'ingress' }];
      }
      if (chance(0.3)) s['expose'] = [pick(['3000', '4000/udp', '7000-7002', 9100])];
      if (chance(0.4)) {
        const vol = `${id}data${i}`;
        volumes[vol] = chance(0.5) ? {} : { labels: { owner: id } };
        s['volumes'] = [
          `${vol}:/data`,
          pick(['./html:/html:ro', '/anon', '/tmp/host:/host', `./${name}:/src:rw`]),
          { type: 'volume', source: vol, target: '/ro', read_only: true },
        ];
      }
      if (chance(0.3)) {
        s['healthcheck'] = chance(0.5)
          ? { test: `curl -f http://localhost/${name}`, interval: pick(['10s', '1m30s', '500ms']), retries: 3, start_period: '5s' }
          : { test: ['CMD', 'true'], timeout: '2s' };
      }
      if (i > 0 && chance(0.5)) {
        const dep = names[Math.floor(random() * i)];
        s['depends_on'] = chance(0.5)
          ? [dep]
          : { [dep]: { condition: pick(['service_started', 'service_healthy', 'service_completed_successfully']), required: chance(0.8) } };
      }
      if (chance(0.3)) s['restart'] = pick(['no', 'always', 'on-failure:3', 'unless-stopped']);
      if (chance(0.2)) s['deploy'] = { replicas: Math.floor(random() * 4), labels: { tier: 'x' } };
      if (chance(0.3)) s['labels'] = chance(0.5) ? [`com.example.${name}=yes`, 'plain=1'] : { 'com.example.role': name };
      if (i > 0 && chance(0.25)) {
        const profile = `${id}p${i}`;
        s['profiles'] = [profile];
        if (chance(0.6)) profiles.push(profile);
      }
      if (chance(0.15)) {
        const secret = `${id}token${i}`;
        files[`${secret}.txt`] = `${secret}\n`;
        secrets[secret] = { file: `./${secret}.txt` };
        s['secrets'] = chance(0.5) ? [secret] : [{ source: secret, target: `/etc/${secret}` }];
      }
      services[name] = s;
    }
    // Services that depend on a disabled (profile) service would be refused: drop those edges.
    for (const s of Object.values(services)) {
      const deps = s['depends_on'];
      const enabled = (d: string): boolean =>
        services[d] !== undefined &&
        (!(services[d]['profiles'] as string[] | undefined)?.length || profiles.includes((services[d]['profiles'] as string[])[0]));
      if (Array.isArray(deps)) s['depends_on'] = deps.filter(enabled);
      else if (deps && typeof deps === 'object') s['depends_on'] = Object.fromEntries(Object.entries(deps).filter(([d]) => enabled(d)));
      if (Array.isArray(s['depends_on']) && (s['depends_on'] as unknown[]).length === 0) delete s['depends_on'];
      if (s['depends_on'] && typeof s['depends_on'] === 'object' && Object.keys(s['depends_on'] as object).length === 0)
        delete s['depends_on'];
    }
    const first = Object.keys(services)[0];
    if (!first) continue;
    const main: Record<string, unknown> = { services };
    if (Object.keys(volumes).length) main['volumes'] = volumes;
    if (Object.keys(secrets).length) main['secrets'] = secrets;
    const composeFiles = [`${id}.yaml`];
    if (chance(0.25)) {
      files[`${id}.base.yaml`] = dump({
        services: {
          [`${id}base`]: {
            image: `example/${id}-base:1`,
            environment: { FROM_BASE: 'yes', SHARED: 'base' },
            labels: { base: 'true' },
            ports: ['7000:7000'],
          },
        },
      });
      services[`${id}ext`] = {
        extends: { file: `${id}.base.yaml`, service: `${id}base` },
        environment: { SHARED: 'child' },
        command: ['ext'],
      };
    }
    if (chance(0.2)) services[`${id}same`] = { extends: first, environment: { SAME: 'yes' } };
    if (chance(0.2)) {
      files[`${id}.inc.yaml`] = dump({ services: { [`${id}inc`]: { image: `example/${id}-inc:1`, environment: { INCLUDED: 'yes' } } } });
      main['include'] = [`${id}.inc.yaml`];
    }
    if (chance(0.35)) {
      const override: Record<string, unknown> = {
        [first]: {
          image: `override/${first}:2`,
          environment: { OVERRIDDEN: 'yes' },
          ports: ['9999:99'],
          labels: { layer: 'override' },
          command: ['override'],
        },
      };
      files[`${id}.override.yaml`] = dump({ services: override });
      composeFiles.push(`${id}.override.yaml`);
    }
    let broken: string | undefined;
    if (chance(brokenShare)) {
      broken = pick(['undefined dependency', 'cycle', 'missing extends', 'required variable', 'bad port', 'disabled dependency']);
      const s = services[first];
      if (broken === 'undefined dependency') s['depends_on'] = [`${id}ghost`];
      else if (broken === 'cycle') {
        services[`${id}x`] = { image: 'example/x:1', depends_on: [`${id}y`] };
        services[`${id}y`] = { image: 'example/y:1', depends_on: [`${id}x`] };
      } else if (broken === 'missing extends') services[`${id}orphan`] = { extends: { service: `${id}nowhere` } };
      else if (broken === 'required variable') s['image'] = `\${${v('REQUIRED')}:?${id} needs an image}`;
      else if (broken === 'bad port') s['ports'] = ['80:eighty'];
      else {
        services[`${id}off`] = { image: 'example/off:1', profiles: [`${id}never`] };
        s['depends_on'] = [`${id}off`];
      }
    }
    files[`${id}.yaml`] = dump(main, { noRefs: true });
    docs.push({ id, files, composeFiles, profiles, dotenv, ...(broken ? { broken } : {}) });
  }
  return docs;
}
