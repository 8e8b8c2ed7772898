/**
 * What must hold of any rendering of our manifests (kustomize base, overlays, Helm chart), each
 * check returning one line per problem so a failing test says exactly what is wrong:
 * selectors meet their pods, probes hit the health routes, workers land on KVM nodes, no
 * container gains privileges without a written reason, and the environment handed to each
 * role is made of real options that Aetherium's own config loader accepts.
 */
import { CONFIG_OPTIONS, loadConfig } from '../../src/runtime/config.js';
import {
  type Container,
  componentOf,
  find,
  type KubeObject,
  keyOf,
  matches,
  type PodTemplate,
  podTemplates,
} from './k8s-objects.js';

export const KVM_NODE_LABEL = 'aetherium.dev/kvm';
export const PRIVILEGE_REASON = 'aetherium.dev/privileged-reason';
const ROLES = new Set(['gateway', 'worker', 'migrate']);
/** What the worker needs beyond its drain: handing tasks back, closing drivers and connections. */
const STOP_MARGIN_MS = 15_000;

function where(template: PodTemplate, container?: Container): string {
  return `${keyOf(template.owner)}${container ? ` container ${container.name}` : ''}`;
}

export function selectorProblems(objects: KubeObject[]): string[] {
  return podTemplates(objects).flatMap((template) => {
    const selector = template.owner.spec.selector?.matchLabels;
    if (template.owner.kind === 'Job' && !selector) return [];
    if (!selector || Object.keys(selector).length === 0) return [`${where(template)} has no selector`];
    return matches(selector, template.labels)
      ? []
      : [`${where(template)}: selector does not match its pod labels`];
  });
}

function portNames(templates: PodTemplate[]): Set<string | number> {
  const names = new Set<string | number>();
  for (const template of templates) {
    for (const container of template.containers) {
      for (const port of container.ports ?? []) {
        if (port.name) names.add(port.name);
        names.add(port.containerPort);
      }
    }
  }
  return names;
}

export function serviceProblems(objects: KubeObject[]): string[] {
  const templates = podTemplates(objects);
  return objects
    .filter((object) => object.kind === 'Service')
    .flatMap((service) => {
      const selected = templates.filter((t) => matches(service.spec.selector, t.labels));
      if (!service.spec.selector || selected.length === 0) return [`${keyOf(service)} selects no pod`];
      const ports = portNames(selected);
      return (service.spec.ports as { targetPort?: string | number; port: number }[])
        .filter((port) => !ports.has(port.targetPort ?? port.port))
        .map((port) => `${keyOf(service)}: target port ${port.targetPort ?? port.port} is no container port`);
    });
}

interface Peer {
  podSelector?: { matchLabels?: Record<string, string> };
  namespaceSelector?: unknown;
}
interface Rule {
  from?: Peer[];
  to?: Peer[];
  ports?: { port: number | string }[];
}

export function networkPolicyProblems(objects: KubeObject[]): string[] {
  const templates = podTemplates(objects);
  const problems: string[] = [];
  for (const policy of objects.filter((object) => object.kind === 'NetworkPolicy')) {
    const selected = templates.filter((t) => matches(policy.spec.podSelector?.matchLabels, t.labels));
    if (selected.length === 0) problems.push(`${keyOf(policy)} selects no pod`);
    const ownPorts = portNames(selected);
    for (const rule of (policy.spec.ingress ?? []) as Rule[]) {
      for (const port of rule.ports ?? []) {
        if (!ownPorts.has(port.port))
          problems.push(`${keyOf(policy)}: ingress port ${port.port} is no container port`);
      }
    }
    const rules = [...((policy.spec.ingress ?? []) as Rule[]), ...((policy.spec.egress ?? []) as Rule[])];
    for (const rule of rules) {
      for (const peer of [...(rule.from ?? []), ...(rule.to ?? [])]) {
        if (!peer.podSelector || peer.namespaceSelector) continue;
        const peers = templates.filter((t) => matches(peer.podSelector?.matchLabels, t.labels));
        if (peers.length === 0) problems.push(`${keyOf(policy)}: a peer selects no pod`);
        const peerPorts = portNames(peers);
        for (const port of rule.to ? (rule.ports ?? []) : []) {
          if (!peerPorts.has(port.port))
            problems.push(`${keyOf(policy)}: egress port ${port.port} is no port of its peer`);
        }
      }
    }
  }
  return problems;
}

export function scalingProblems(objects: KubeObject[]): string[] {
  const problems: string[] = [];
  for (const hpa of objects.filter((object) => object.kind === 'HorizontalPodAutoscaler')) {
    const target = find(objects, hpa.spec.scaleTargetRef.kind, hpa.spec.scaleTargetRef.name);
    if (!target) {
      problems.push(`${keyOf(hpa)} scales a missing ${hpa.spec.scaleTargetRef.kind}`);
      continue;
    }
    if (target.spec.replicas !== undefined)
      problems.push(`${keyOf(target)} sets replicas, which its autoscaler owns`);
    for (const container of target.spec.template.spec.containers as {
      name: string;
      resources?: { requests?: { cpu?: string } };
    }[]) {
      if (!container.resources?.requests?.cpu)
        problems.push(`${keyOf(target)} ${container.name}: no CPU request to scale on`);
    }
  }
  const templates = podTemplates(objects);
  for (const pdb of objects.filter((object) => object.kind === 'PodDisruptionBudget')) {
    if (!templates.some((t) => matches(pdb.spec.selector?.matchLabels, t.labels))) {
      problems.push(`${keyOf(pdb)} selects no pod`);
    }
  }
  return problems;
}

function httpPath(probe: unknown): string | undefined {
  return (probe as { httpGet?: { path?: string } } | undefined)?.httpGet?.path;
}

export function probeProblems(objects: KubeObject[]): string[] {
  const problems: string[] = [];
  for (const template of podTemplates(objects)) {
    const role = componentOf(template);
    for (const container of template.containers) {
      const ports = portNames([{ ...template, containers: [container] }]);
      for (const probe of [container.livenessProbe, container.readinessProbe]) {
        const port = probe?.httpGet?.port ?? probe?.tcpSocket?.port;
        if (port !== undefined && !ports.has(port))
          problems.push(`${where(template, container)}: probe port ${port} unknown`);
      }
      if (role === 'gateway') {
        if (httpPath(container.livenessProbe) !== '/api/v1/health') {
          problems.push(`${where(template, container)}: liveness probe is not GET /api/v1/health`);
        }
        if (httpPath(container.readinessProbe) !== '/api/v1/ready') {
          problems.push(`${where(template, container)}: readiness probe is not GET /api/v1/ready`);
        }
      }
      if (role === 'worker' && (!container.livenessProbe || !container.readinessProbe)) {
        problems.push(`${where(template, container)}: a worker needs liveness and readiness probes`);
      }
    }
  }
  return problems;
}

export function placementProblems(objects: KubeObject[]): string[] {
  const workers = podTemplates(objects).filter((t) => componentOf(t) === 'worker');
  if (workers.length === 0) return ['no worker pod template'];
  return workers.flatMap((template) => [
    ...(template.owner.kind === 'DaemonSet' ? [] : [`${where(template)}: workers run as a DaemonSet`]),
    ...(template.spec.nodeSelector?.[KVM_NODE_LABEL] === 'true'
      ? []
      : [`${where(template)}: nodeSelector lacks ${KVM_NODE_LABEL}: "true"`]),
  ]);
}

/**
 * Privileges (privileged, added capabilities, running as root) are either absent or explained
 * in the pod's annotation; everything else is locked down.
 */
export function privilegeProblems(objects: KubeObject[]): string[] {
  const problems: string[] = [];
  for (const template of podTemplates(objects)) {
    const documented = (template.annotations[PRIVILEGE_REASON] ?? '').trim().length > 40;
    for (const container of template.containers) {
      const context = container.securityContext ?? {};
      const nonRoot = context.runAsNonRoot ?? template.spec.securityContext?.runAsNonRoot;
      const privileged = context.privileged === true || (context.capabilities?.add ?? []).length > 0;
      const at = where(template, container);
      if (context.readOnlyRootFilesystem !== true) problems.push(`${at}: root file system is writable`);
      if ((privileged || nonRoot !== true) && !documented) {
        problems.push(`${at}: privileged, added capabilities or root without ${PRIVILEGE_REASON}`);
      }
      if (privileged) continue;
      if (context.allowPrivilegeEscalation !== false)
        problems.push(`${at}: allowPrivilegeEscalation is not false`);
      if (!context.capabilities?.drop?.includes('ALL'))
        problems.push(`${at}: capabilities are not all dropped`);
    }
  }
  return problems;
}

/** ConfigMaps, Secrets and the service account each pod names exist (or are made outside, `external`). */
export function referenceProblems(objects: KubeObject[], external: readonly string[] = []): string[] {
  const problems: string[] = [];
  const has = (kind: string, name: string) =>
    find(objects, kind, name) !== undefined || external.includes(name);
  for (const template of podTemplates(objects)) {
    const account = template.spec.serviceAccountName;
    if (account && !has('ServiceAccount', account))
      problems.push(`${where(template)}: no ServiceAccount ${account}`);
    for (const container of template.containers) {
      for (const source of container.envFrom ?? []) {
        if (
          source.configMapRef &&
          !source.configMapRef.optional &&
          !has('ConfigMap', source.configMapRef.name)
        ) {
          problems.push(`${where(template, container)}: no ConfigMap ${source.configMapRef.name}`);
        }
        if (source.secretRef && !source.secretRef.optional && !has('Secret', source.secretRef.name)) {
          problems.push(`${where(template, container)}: no Secret ${source.secretRef.name}`);
        }
      }
    }
  }
  return problems;
}

/** Environment names Aetherium reads: every option's variable, and the client's own. */
const KNOWN_ENV = new Set([
  ...Object.values(CONFIG_OPTIONS).map((option) => option.env),
  'AETHER_CONFIG',
  'AETHER_URL',
  'AETHER_TOKEN',
]);
/**
 * Names the manifests set for their own use: the downward API, the process's home, and the
 * image entrypoint's user switch (deploy/docker/entrypoint.sh).
 */
const OWN_ENV = new Set(['HOME', 'NODE_NAME', 'POD_IP', 'AETHER_RUN_AS']);
/** Stand-ins for what the cluster fills in, so a rendered environment can be loaded. */
const FIELD_VALUES: Record<string, string> = { 'spec.nodeName': 'node-1', 'status.podIP': '10.0.0.7' };
const PLACEHOLDERS: Record<string, string> = {
  DATABASE_URL: 'postgres://aether@db:5432/aether',
  REDIS_URL: 'redis://queue:6379',
  AETHER_CLUSTER_SECRET: 'x'.repeat(64),
};

function secretValues(secret: KubeObject): Record<string, string> {
  const decoded = Object.fromEntries(
    Object.entries(secret.data ?? {}).map(([key, value]) => [
      key,
      Buffer.from(value, 'base64').toString('utf8'),
    ]),
  );
  return { ...decoded, ...(secret.stringData ?? {}) };
}

/** A role's environment as the kubelet hands it over: envFrom sources, then env with $(VAR) expanded. */
export function environmentOf(objects: KubeObject[], container: Container): Record<string, string> {
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    const config = source.configMapRef && find(objects, 'ConfigMap', source.configMapRef.name);
    const secret = source.secretRef && find(objects, 'Secret', source.secretRef.name);
    Object.assign(env, config?.data ?? {}, secret ? secretValues(secret) : {});
  }
  for (const variable of container.env ?? []) {
    const field = (variable.valueFrom as { fieldRef?: { fieldPath: string } } | undefined)?.fieldRef
      ?.fieldPath;
    const value = field ? (FIELD_VALUES[field] ?? '') : (variable.value ?? '');
    env[variable.name] = value.replace(/\$\(([A-Z0-9_]+)\)/g, (text, name: string) => env[name] ?? text);
  }
  return env;
}

function portOf(container: Container, name: string): number | undefined {
  return container.ports?.find((port) => port.name === name)?.containerPort;
}

export function configProblems(objects: KubeObject[]): string[] {
  const problems: string[] = [];
  for (const holder of objects.filter((object) => object.kind === 'ConfigMap' || object.kind === 'Secret')) {
    if (holder.metadata.labels?.['app.kubernetes.io/name'] !== 'aetherium') continue;
    const keys = Object.keys(holder.kind === 'Secret' ? secretValues(holder) : (holder.data ?? {}));
    for (const key of keys.filter((k) => !KNOWN_ENV.has(k)))
      problems.push(`${keyOf(holder)}: ${key} is no Aetherium option`);
  }
  for (const template of podTemplates(objects)) {
    const role = componentOf(template);
    if (!role || !ROLES.has(role)) continue;
    for (const container of template.containers) {
      const at = where(template, container);
      const env = environmentOf(objects, container);
      for (const name of Object.keys(env).filter((n) => !KNOWN_ENV.has(n) && !OWN_ENV.has(n))) {
        problems.push(`${at}: ${name} is no Aetherium option`);
      }
      const filled = { ...env };
      for (const [name, value] of Object.entries(PLACEHOLDERS)) filled[name] ||= value;
      let config: ReturnType<typeof loadConfig>;
      try {
        config = loadConfig(filled, {}, '/');
      } catch (error) {
        problems.push(`${at}: Aetherium refuses its environment: ${(error as Error).message}`);
        continue;
      }
      if (container.args?.[0] !== role)
        problems.push(`${at}: runs \`aether ${container.args?.join(' ')}\`, not ${role}`);
      if (role === 'gateway' && (config.host !== '0.0.0.0' || config.port !== portOf(container, 'http'))) {
        problems.push(`${at}: listens on ${config.host}:${config.port}, not on its http port`);
      }
      if (role === 'worker') {
        const listen = Number(config.dataPlaneListen.split(':').pop());
        if (listen !== portOf(container, 'data-plane'))
          problems.push(`${at}: data plane on ${listen}, not its port`);
        if (!config.dataPlaneAddress.endsWith(`:${listen}`))
          problems.push(`${at}: advertises another data-plane port`);
        if (config.metricsPort !== portOf(container, 'metrics'))
          problems.push(`${at}: metrics not on its port`);
        const graceMs = (template.spec.terminationGracePeriodSeconds ?? 30) * 1000;
        if (graceMs < config.drainTimeoutMs + STOP_MARGIN_MS) {
          problems.push(
            `${at}: ${graceMs} ms to stop, but the drain alone takes ${config.drainTimeoutMs} ms`,
          );
        }
      }
    }
  }
  return problems;
}

/** Every check at once; `external` names Secrets and ConfigMaps made outside the rendering. */
export function manifestProblems(objects: KubeObject[], external: readonly string[] = []): string[] {
  return [
    ...selectorProblems(objects),
    ...serviceProblems(objects),
    ...networkPolicyProblems(objects),
    ...scalingProblems(objects),
    ...probeProblems(objects),
    ...placementProblems(objects),
    ...privilegeProblems(objects),
    ...referenceProblems(objects, external),
    ...configProblems(objects),
  ];
}
