import { tmpdir } from 'node:os';
import { InputError } from '../common/errors';
import type { ComposeSource } from '../compose/source';
import { readComposeSource } from '../pipeline/compose-inputs';
import type { PipelineVariables } from '../pipeline/interfaces';
import { readDigestSource, type DigestSource } from '../digests/digest-source';
import { readRegistryCredentials, type RegistryCredentials } from '../docker/registry-credentials';
import type { InputReader } from '../pipeline/inputs';
import { readDockerHostConnection, readSshConnection, type DockerHostTarget } from './host';

/** ComposeDeploy@1's inputs, validated. */
export interface ComposeDeployInputs {
  action: 'deploy' | 'down';
  /** The engine deployed to: over TLS, over SSH, or the agent's own. */
  target: DockerHostTarget;
  compose: ComposeSource;
  digests?: DigestSource;
  requirePinned: boolean;
  registry?: RegistryCredentials;
  waitTimeoutSeconds: number;
  rollbackOnFailure: boolean;
  /** Agent.TempDirectory: where the certificates, key, DOCKER_CONFIG and override file go (and are removed from). */
  tempDir: string;
  pipeline: PipelineVariables;
}

/** Reads and validates ComposeDeploy@1's inputs: the only place this task reads inputs. */
export function readComposeDeployInputs(inputs: InputReader): ComposeDeployInputs {
  const base = inputs.workingDirectory();
  const compose = readComposeSource(inputs, { workingDir: base, required: 'the compose files to deploy, one per line.' });
  const action = inputs.pick('action', ['deploy', 'down'] as const, 'deploy');
  const tls = inputs.endpoint('dockerHostConnection');
  const ssh = inputs.endpoint('sshConnection');
  if (tls && ssh)
    throw new InputError(
      'sshConnection',
      `cannot be used together with 'dockerHostConnection'; give one of them (or neither, for the agent's own engine).`,
    );
  const registry = inputs.endpoint('containerRegistry');
  return {
    action,
    target: tls ? readDockerHostConnection('dockerHostConnection', tls) : ssh ? readSshConnection('sshConnection', ssh) : { kind: 'local' },
    compose,
    digests: readDigestSource(inputs, base),
    requirePinned: inputs.boolean('requirePinned', true),
    registry: registry ? readRegistryCredentials('containerRegistry', registry) : undefined,
    waitTimeoutSeconds: inputs.integer('waitTimeout', 300, { min: 1, max: 86400 }),
    rollbackOnFailure: inputs.boolean('rollbackOnFailure', true),
    tempDir: inputs.variable('Agent.TempDirectory') ?? tmpdir(),
    pipeline: inputs.pipelineVariables(),
  };
}
