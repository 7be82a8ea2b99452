import { readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { InputError } from '../../common/errors';
import { writeFileAtomic } from '../../common/fs';
import { readDigestFile } from '../../digests/digest-file';
import { formatManifests } from '../../k8s/manifests';
import { renderComposeProject, type RenderOptions } from '../../k8s/convert';
import type { KubernetesObject } from '../../k8s/objects';
import { engineImagePorts } from '../../k8s/image-ports';
import { splitSecrets } from '../../k8s/secrets';
import { DockerCli } from '../../docker/engine';
import { NodeProcessRunner } from '../../process/runner';
import { messageLine, type CliCommand, type CliIo } from '../io';
import { COMPOSE_OPTIONS_USAGE, parseCommandArgs, readComposeSource } from './compose-options';
import { checkHelmOptions, HELM_ONLY, HELM_OPTIONS, HELM_OPTIONS_USAGE, writeHelmOutput } from './convert-helm';

/** `outerloop convert`: compose files → Kubernetes manifests (stdout, one file, or one file per object). */

const OWN_OPTIONS = {
  digests: { type: 'string' },
  namespace: { type: 'string', short: 'n' },
  strict: { type: 'boolean' },
  output: { type: 'string', short: 'o' },
  'output-dir': { type: 'string' },
  'service-type': { type: 'string' },
  'ingress-host': { type: 'string' },
  'wait-image': { type: 'string' },
  'kubectl-image': { type: 'string' },
  'no-bind-configmaps': { type: 'boolean' },
  'no-secrets': { type: 'boolean' },
  format: { type: 'string' },
  ...HELM_OPTIONS,
} as const;

const SERVICE_TYPES = ['ClusterIP', 'NodePort', 'LoadBalancer'] as const;

/** Lists the files the last --output-dir run wrote, so that the next run can remove the stale ones. */
const MANIFEST_LIST = '.outerloop-manifests';

/**
 * Writes one file per object; removes the files an earlier run wrote for objects that are gone
 * (only those: the folder's list says which), so that applying the folder never resurrects them.
 */
export async function writeManifestFolder(dir: string, objects: KubernetesObject[]): Promise<string[]> {
  const names = objects.map((o) => `${o.kind.toLowerCase()}-${o.metadata.name}.yaml`);
  for (const [i, object] of objects.entries()) await writeFileAtomic(join(dir, names[i]), formatManifests([object]));
  let previous: string[];
  try {
    previous = (await readFile(join(dir, MANIFEST_LIST), 'utf8')).split('\n').filter((n) => /^[a-z0-9.-]+\.yaml$/.test(n));
  } catch {
    previous = [];
  }
  const stale = previous.filter((n) => !names.includes(n)).sort();
  for (const name of stale) await rm(join(dir, name), { force: true });
  await writeFileAtomic(join(dir, MANIFEST_LIST), [...names].sort().join('\n') + '\n');
  return stale;
}

async function run(args: string[], io: CliIo): Promise<number> {
  const values = parseCommandArgs(args, OWN_OPTIONS);
  const output = values['output'] as string | undefined;
  const outputDir = values['output-dir'] as string | undefined;
  if (output !== undefined && outputDir !== undefined) throw new InputError('--output', 'and --output-dir cannot be used together.');
  const serviceType = values['service-type'] as string | undefined;
  if (serviceType !== undefined && !(SERVICE_TYPES as readonly string[]).includes(serviceType)) {
    throw new InputError('--service-type', `must be ${SERVICE_TYPES.join(', ')}, not '${serviceType}'.`);
  }
  const format = (values['format'] as string | undefined) ?? 'manifests';
  if (format !== 'manifests' && format !== 'helm') throw new InputError('--format', `must be manifests or helm, not '${format}'.`);
  const helmOnly = HELM_ONLY.find((name) => values[name] !== undefined);
  if (format !== 'helm' && helmOnly) throw new InputError(`--${helmOnly}`, 'needs --format helm.');
  if (format === 'helm') checkHelmOptions(values);
  const options: RenderOptions = {
    source: readComposeSource(values, io),
    strict: values['strict'] === true,
    ...(typeof values['namespace'] === 'string' ? { namespace: values['namespace'] } : {}),
    ...(serviceType ? { serviceType: serviceType as RenderOptions['serviceType'] } : {}),
    ...(typeof values['ingress-host'] === 'string' ? { ingressHost: values['ingress-host'] } : {}),
    ...(typeof values['wait-image'] === 'string' ? { waitImage: values['wait-image'] } : {}),
    ...(typeof values['kubectl-image'] === 'string' ? { kubectlImage: values['kubectl-image'] } : {}),
    ...(values['no-bind-configmaps'] === true ? { bindConfigMaps: false } : {}),
    imagePorts: engineImagePorts(new DockerCli(new NodeProcessRunner({ write: () => undefined }), io.env)),
  };
  if (typeof values['digests'] === 'string') options.digests = await readDigestFile(resolve(io.cwd, values['digests']));
  const result = await renderComposeProject(options);
  for (const warning of result.warnings) io.stderr.write(messageLine(`warning: ${warning}`));
  const { secrets, others } = splitSecrets(result.objects);
  const withoutSecrets = values['no-secrets'] === true;
  const objects = withoutSecrets ? others : result.objects;
  const names = secrets.map((o) => o.metadata.name).join(', ');
  const target = outputDir !== undefined ? resolve(io.cwd, outputDir) : output !== undefined ? resolve(io.cwd, output) : 'standard output';
  const writesObjects = values['values-only'] !== true;
  if (writesObjects && secrets.length > 0 && withoutSecrets)
    io.stderr.write(
      messageLine(
        `left out Secret ${names} (--no-secrets): create them in the cluster before ${format === 'helm' ? 'installing the chart' : 'applying the manifests'}`,
      ),
    );
  else if (writesObjects && secrets.length > 0)
    io.stderr.write(
      messageLine(
        `warning: the contents of compose secrets are written in the clear (base64) to ${target}, in Secret ${names}: keep them out of version control and logs, or use --no-secrets to leave the Secrets out`,
      ),
    );
  if (format === 'helm') return writeHelmOutput(values, { objects, images: result.images, projectName: result.projectName }, io);
  const yaml = withoutSecrets ? formatManifests(objects) : result.yaml;
  if (outputDir !== undefined) {
    const removed = await writeManifestFolder(target, objects);
    io.stderr.write(
      `wrote ${objects.length} manifests to ${target}${removed.length ? `, removed ${removed.length} that the project no longer has (${removed.join(', ')})` : ''}\n`,
    );
  } else if (output !== undefined) {
    await writeFileAtomic(target, yaml);
    io.stderr.write(`wrote ${objects.length} objects to ${target}\n`);
  } else io.stdout.write(yaml);
  return 0;
}

/** The `convert` command. */
export const convertCommand: CliCommand = {
  name: 'convert',
  summary: 'convert compose files to Kubernetes manifests, pinned by digest',
  usage: [
    'Usage: outerloop convert [options]',
    '',
    'Converts the compose project to Kubernetes manifests (multi-document YAML, sorted, byte-identical',
    'for the same input), or with --format helm to a Helm 3 chart that renders the same objects with its',
    'default values. Warnings name every compose key that is not converted; they go to stderr.',
    '',
    'Options:',
    ...COMPOSE_OPTIONS_USAGE,
    '      --digests FILE      image-digests.json from PushDigest@1: pin images by digest',
    '  -n, --namespace NS      set metadata.namespace on every object',
    '      --strict            fail on any warning',
    '      --service-type T    Service type for published ports: ClusterIP (default), NodePort, LoadBalancer',
    '      --ingress-host HOST host for Ingresses that ask for one without a host of their own',
    "      --wait-image IMAGE  image of the init containers that wait for a dependency's Service (sh and nc;",
    '                          default busybox:1.36; pin it, e.g. busybox@sha256:…)',
    "      --kubectl-image IMAGE image of the init containers that wait for a dependency's Job (kubectl;",
    '                          default bitnami/kubectl:1.30)',
    '      --no-bind-configmaps leave out read-only bind mounts of project files instead of making',
    '                          ConfigMaps of them (mounted at the same path)',
    '      --no-secrets        leave out the Secrets made of compose secrets (their contents would be',
    '                          written in the clear); the pods still refer to them: create them yourself',
    '  -o, --output FILE       write the manifests to FILE (default: stdout)',
    '      --output-dir DIR    write one file per object (<kind>-<name>.yaml) to DIR; files an earlier run wrote',
    '                          for objects that are gone are removed (DIR/.outerloop-manifests lists them)',
    ...HELM_OPTIONS_USAGE,
    '',
  ].join('\n'),
  run,
};
