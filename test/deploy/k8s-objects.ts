/**
 * Rendered Kubernetes objects as plain data, and the few ways the deploy tests look into them:
 * `kubectl kustomize` output, pod templates with their owners, label selectors.
 */
import { execFileSync } from 'node:child_process';
import { parseAllDocuments } from 'yaml';

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  // biome-ignore lint/suspicious/noExplicitAny: rendered manifests are untyped data, checked by schema
  spec?: any;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

/** The kubectl on PATH, if it has kustomize built in; null otherwise. */
export function findKubectl(): string | null {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'pipe' });
    return 'kubectl';
  } catch {
    return null;
  }
}

/** `kubectl kustomize DIR`, parsed. Runs no cluster call. */
export function kustomize(dir: string): KubeObject[] {
  const output = execFileSync('kubectl', ['kustomize', dir], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return parseAllDocuments(output)
    .map((document) => document.toJS() as KubeObject | null)
    .filter((object): object is KubeObject => object !== null);
}

export function keyOf(object: KubeObject): string {
  return `${object.kind}/${object.metadata.name}`;
}

export function find(objects: KubeObject[], kind: string, name: string): KubeObject | undefined {
  return objects.find((object) => object.kind === kind && object.metadata.name === name);
}

export interface Container {
  name: string;
  image?: string;
  args?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: { name: string; value?: string; valueFrom?: unknown }[];
  envFrom?: {
    configMapRef?: { name: string; optional?: boolean };
    secretRef?: { name: string; optional?: boolean };
  }[];
  // biome-ignore lint/suspicious/noExplicitAny: probe shapes vary (httpGet, tcpSocket, exec)
  livenessProbe?: any;
  // biome-ignore lint/suspicious/noExplicitAny: as above
  readinessProbe?: any;
  securityContext?: {
    privileged?: boolean;
    runAsNonRoot?: boolean;
    readOnlyRootFilesystem?: boolean;
    allowPrivilegeEscalation?: boolean;
    capabilities?: { add?: string[]; drop?: string[] };
  };
}

export interface PodTemplate {
  owner: KubeObject;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  // biome-ignore lint/suspicious/noExplicitAny: a PodSpec, checked by schema
  spec: any;
  containers: Container[];
}

const WORKLOADS = new Set(['Deployment', 'DaemonSet', 'StatefulSet', 'Job', 'ReplicaSet']);

export function podTemplates(objects: KubeObject[]): PodTemplate[] {
  return objects
    .filter((object) => WORKLOADS.has(object.kind))
    .map((owner) => {
      const template = owner.spec.template;
      return {
        owner,
        labels: template.metadata?.labels ?? {},
        annotations: template.metadata?.annotations ?? {},
        spec: template.spec,
        containers: [...(template.spec.initContainers ?? []), ...template.spec.containers],
      };
    });
}

/** Whether `labels` satisfy a selector's matchLabels (matchExpressions are not used here). */
export function matches(
  selector: Record<string, string> | undefined,
  labels: Record<string, string>,
): boolean {
  return Object.entries(selector ?? {}).every(([key, value]) => labels[key] === value);
}

/** The role a pod template runs (`gateway`, `worker`, `migrate`), from its component label. */
export function componentOf(template: PodTemplate): string | undefined {
  return template.labels['app.kubernetes.io/component'];
}
