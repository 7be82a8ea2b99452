import type { InputReader } from '../pipeline/inputs';

/** DockerBuildTag@1's inputs, validated. */
export interface DockerBuildTagInputs {
  repository: string;
  dockerfile: string;
}

/** Reads and validates DockerBuildTag@1's inputs: the only place this task reads inputs. */
export function readDockerBuildTagInputs(inputs: InputReader): DockerBuildTagInputs {
  return {
    repository: inputs.string('repository', { required: true, hint: 'the image repository to build, e.g. contoso.azurecr.io/shop/api' }),
    dockerfile: inputs.string('dockerfile', { default: 'Dockerfile' }) ?? 'Dockerfile',
  };
}
