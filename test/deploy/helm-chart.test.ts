/**
 * The Helm chart, rendered without helm (no helm binary is reachable here) by the small engine
 * in helm-template-*.ts, which fails on any construct or function it does not model. Its
 * objects must pass the same schema, unknown-field and consistency checks as the kustomize
 * base, and with default values be the same objects (less Helm's own labels and hook
 * annotations). What this cannot check is in docs/operations.md ("What the tests check").
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderChart } from './helm-chart.js';
import { manifestProblems } from './k8s-checks.js';
import { unknownFieldProblems } from './k8s-fields.js';
import { find, findKubectl, type KubeObject, keyOf, kustomize } from './k8s-objects.js';
import { schemaProblems } from './k8s-schema.js';

const CHART = 'deploy/helm/aetherium';
const release = (values: Record<string, unknown> = {}) =>
  renderChart(CHART, { name: 'aetherium', namespace: 'aetherium', values }).objects;

/** Value sets an operator is likely to use, each rendered and checked in full. */
const VARIANTS: Record<string, { values: Record<string, unknown>; external: string[] }> = {
  defaults: { values: {}, external: [] },
  'external secrets': {
    values: {
      secrets: { create: false, existingSecret: 'aether-env' },
      integrations: { create: false, existingSecret: 'aether-integrations' },
    },
    external: ['aether-env', 'aether-integrations'],
  },
  'worker with a KVM device plugin, not privileged': {
    values: {
      worker: {
        privileged: false,
        resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { 'devices.kubevirt.io/kvm': '1' } },
      },
    },
    external: [],
  },
  'workers replaced by hand after the gateways': {
    values: { worker: { updateStrategy: { type: 'OnDelete', rollingUpdate: null } } },
    external: [],
  },
  'another release name, ingress-only API, Loki': {
    values: {
      networkPolicy: {
        gatewayIngressFrom: [
          { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress' } } },
        ],
      },
      config: { AETHER_LOG_PROVIDER: 'loki', AETHER_LOKI_URL: 'http://loki.monitoring:3100' },
      image: { repository: 'registry.example.com/aetherium', tag: '0.1.0' },
      gateway: { autoscaling: { minReplicas: 3, maxReplicas: 30 } },
    },
    external: [],
  },
};

describe('Helm chart', () => {
  const rendered = new Map<string, KubeObject[]>();
  beforeAll(() => {
    for (const [name, variant] of Object.entries(VARIANTS)) rendered.set(name, release(variant.values));
  });

  it('is a Helm 3 chart with values, helpers and notes', () => {
    const chart = parse(readFileSync(`${CHART}/Chart.yaml`, 'utf8'));
    expect(chart).toMatchObject({ apiVersion: 'v2', name: 'aetherium', type: 'application' });
    expect(chart.version).toMatch(/^\d+\.\d+\.\d+$/);
    for (const file of ['values.yaml', 'templates/_helpers.tpl', 'templates/NOTES.txt']) {
      expect(() => readFileSync(`${CHART}/${file}`)).not.toThrow();
    }
  });

  for (const [name, variant] of Object.entries(VARIANTS)) {
    it(`${name}: valid against the schemas, and every check holds`, async () => {
      const objects = rendered.get(name)!;
      expect(await schemaProblems(objects)).toEqual([]);
      expect(manifestProblems(objects, variant.external)).toEqual([]);
    });
  }

  it('no rendering has a field the Kubernetes API does not know', () => {
    expect(unknownFieldProblems([...rendered.values()].flat())).toEqual([]);
  });

  it('the values change what they say', () => {
    const external = rendered.get('external secrets')!;
    expect(external.filter((object) => object.kind === 'Secret')).toEqual([]);
    const plain = find(
      rendered.get('worker with a KVM device plugin, not privileged')!,
      'DaemonSet',
      'aetherium-worker',
    )!;
    expect(plain.spec.template.spec.containers[0].securityContext).toEqual({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      readOnlyRootFilesystem: true,
    });
    const other = rendered.get('another release name, ingress-only API, Loki')!;
    expect(find(other, 'HorizontalPodAutoscaler', 'aetherium-gateway')!.spec.minReplicas).toBe(3);
    expect(find(other, 'NetworkPolicy', 'aetherium-gateway')!.spec.ingress[0].from).toHaveLength(1);
    expect(find(other, 'Deployment', 'aetherium-gateway')!.spec.template.spec.containers[0].image).toBe(
      'registry.example.com/aetherium:0.1.0',
    );
  });

  it('a release with another name prefixes every object, and selectors follow', () => {
    const objects = renderChart(CHART, { name: 'sandbox', namespace: 'ci' }).objects;
    expect(objects.every((object) => object.metadata.name.startsWith('sandbox-aetherium'))).toBe(true);
    expect(manifestProblems(objects)).toEqual([]);
  });

  it('the notes render and warn while the store URLs are empty', () => {
    const { notes } = renderChart(CHART, { name: 'aetherium', namespace: 'aetherium' });
    expect(notes).toContain('DATABASE_URL and REDIS_URL are empty');
    expect(notes).toContain('kubectl label node NODE aetherium.dev/kvm=true');
    const set = renderChart(CHART, {
      name: 'aetherium',
      namespace: 'aetherium',
      values: { secrets: { values: { DATABASE_URL: 'postgres://db/aether' } } },
    });
    expect(set.notes).not.toContain('are empty');
  });
});

/** Helm's own labels and hook annotations, which kustomize has no reason to carry. */
const HELM_ONLY_KEYS = new Set([
  'helm.sh/chart',
  'app.kubernetes.io/instance',
  'app.kubernetes.io/version',
  'app.kubernetes.io/managed-by',
  'helm.sh/hook',
  'helm.sh/hook-weight',
  'helm.sh/hook-delete-policy',
]);

function withoutHelmKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutHelmKeys);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value)
    .filter(([key]) => !HELM_ONLY_KEYS.has(key))
    .map(([key, inner]) => [key, withoutHelmKeys(inner)] as const)
    .filter(([key, inner]) => !(key === 'annotations' && Object.keys(inner as object).length === 0));
  return Object.fromEntries(entries);
}

describe.skipIf(!findKubectl())(
  'Helm chart and kustomize base (skipped only when kubectl is not on PATH)',
  () => {
    it('default values render the same objects as the kustomize base', () => {
      const base = kustomize('deploy/kubernetes/base');
      const chart = release();
      expect(chart.map(keyOf).sort()).toEqual(base.map(keyOf).sort());
      for (const object of base) {
        const twin = find(chart, object.kind, object.metadata.name);
        expect(withoutHelmKeys(twin), keyOf(object)).toEqual(withoutHelmKeys(object));
      }
    });
  },
);
