import { CronJob, Job } from 'kubernetes-models/batch/v1';
import { DaemonSet, Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { ConfigMap, PersistentVolumeClaim, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1';
import { Role, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { OuterloopError } from '../common/errors';
import type { KubernetesObject } from './objects';

/** Validation of generated objects against the Kubernetes OpenAPI schemas (kubernetes-models). */

/** A generated object that the Kubernetes schema rejects. */
export class ManifestValidationError extends OuterloopError {}

type Model = { prototype: { validate(this: unknown): void } };

const MODELS: Record<string, Model> = {
  ConfigMap,
  CronJob,
  DaemonSet,
  Deployment,
  Ingress,
  Job,
  PersistentVolumeClaim,
  Role,
  RoleBinding,
  Secret,
  Service,
  ServiceAccount,
  StatefulSet,
} as unknown as Record<string, Model>;

/** Validates every object; throws ManifestValidationError naming the object and the field. */
export function validateObjects(objects: KubernetesObject[]): void {
  for (const object of objects) {
    const Model = MODELS[object.kind];
    if (!Model) throw new ManifestValidationError(`${object.kind} ${object.metadata.name}: no schema to validate this kind against.`);
    try {
      // The model's validate runs on `this`: calling it on the object itself skips the deep copy
      // that constructing a model makes (a tenth of a large conversion's time).
      Model.prototype.validate.call(object);
    } catch (err) {
      throw new ManifestValidationError(
        `The generated ${object.kind} '${object.metadata.name}' is not valid Kubernetes: ${(err as Error).message}.`,
      );
    }
  }
}
