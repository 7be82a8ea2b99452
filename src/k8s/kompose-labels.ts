import type { ComposeService } from '../compose/model';
import { CONTROL_LABELS } from './context';

/**
 * kompose's labels, read as their outerloop equivalents so that compose files written for kompose
 * (and for KubernetesManifest@1, which runs it) convert the same way. An outerloop label wins
 * when both are written; the kompose labels are consumed, not copied to the manifests.
 */

/** kompose label → outerloop label. */
const KOMPOSE_LABELS: Record<string, string> = {
  'kompose.controller.type': CONTROL_LABELS.controller,
  'kompose.service.type': CONTROL_LABELS.serviceType,
  'kompose.cronjob.schedule': CONTROL_LABELS.schedule,
  'kompose.service.expose.tls-secret': CONTROL_LABELS.ingressTls,
  'kompose.service.expose.ingress-class-name': CONTROL_LABELS.ingressClass,
};

/** A service whose labels carry the outerloop equivalents of its kompose labels. */
export function withKomposeLabels(service: ComposeService): ComposeService {
  if (!Object.keys(service.labels).some((k) => k.startsWith('kompose.'))) return service;
  const labels: Record<string, string> = {};
  const translated: Record<string, string> = {};
  for (const [key, value] of Object.entries(service.labels)) {
    const target = KOMPOSE_LABELS[key];
    if (target) translated[target] = target === CONTROL_LABELS.serviceType && value.toLowerCase() === 'headless' ? 'headless' : value;
    else if (key === 'kompose.service.expose') {
      if (value === 'true') translated[CONTROL_LABELS.ingress] = 'true';
      else if (value !== 'false') {
        const first = value.split(',')[0].trim();
        const slash = first.indexOf('/');
        translated[CONTROL_LABELS.ingressHost] = slash < 0 ? first : first.slice(0, slash);
        if (slash >= 0) translated[CONTROL_LABELS.ingressPath] = first.slice(slash);
      }
    } else labels[key] = value;
  }
  return { ...service, labels: { ...translated, ...labels } };
}
