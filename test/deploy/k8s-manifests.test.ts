/**
 * The kustomize base and overlays, rendered by `kubectl kustomize` (no cluster), checked against
 * the Kubernetes OpenAPI schemas, for fields the API does not know, and for what must hold
 * between the objects (k8s-checks.ts). Mutations of a good rendering prove the checks bite.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { manifestProblems, PRIVILEGE_REASON } from './k8s-checks.js';
import { unknownFieldProblems } from './k8s-fields.js';
import { find, findKubectl, type KubeObject, keyOf, kustomize } from './k8s-objects.js';
import { schemaProblems } from './k8s-schema.js';

const ROOT = 'deploy/kubernetes';
/** Made outside kustomize in production, so an apply never overwrites them. */
const PRODUCTION_SECRETS = ['aetherium-secrets', 'aetherium-integrations'];
const VARIANTS = [
  { name: 'base', dir: `${ROOT}/base`, external: [] as string[] },
  { name: 'dev', dir: `${ROOT}/overlays/dev`, external: [] as string[] },
  { name: 'production', dir: `${ROOT}/overlays/production`, external: PRODUCTION_SECRETS },
];

const kubectl = findKubectl();

describe.skipIf(!kubectl)('kustomize manifests (skipped only when kubectl is not on PATH)', () => {
  const rendered = new Map<string, KubeObject[]>();
  beforeAll(() => {
    for (const variant of VARIANTS) rendered.set(variant.name, kustomize(variant.dir));
  });
  const objects = (name: string) => rendered.get(name)!;

  for (const variant of VARIANTS) {
    it(`${variant.name}: every object is valid against the Kubernetes OpenAPI schemas`, async () => {
      expect(await schemaProblems(objects(variant.name))).toEqual([]);
    });

    it(`${variant.name}: selectors, probes, placement, privileges, references and options hold`, () => {
      expect(manifestProblems(objects(variant.name), variant.external)).toEqual([]);
    });
  }

  it('no rendering has a field the Kubernetes API does not know', () => {
    expect(unknownFieldProblems(VARIANTS.flatMap((variant) => objects(variant.name)))).toEqual([]);
  });

  it('the base holds every role and its companions', () => {
    expect(objects('base').map(keyOf).sort()).toEqual([
      'ConfigMap/aetherium-config',
      'DaemonSet/aetherium-worker',
      'Deployment/aetherium-gateway',
      'HorizontalPodAutoscaler/aetherium-gateway',
      'Job/aetherium-migrate',
      'NetworkPolicy/aetherium-default-deny',
      'NetworkPolicy/aetherium-gateway',
      'NetworkPolicy/aetherium-migrate',
      'NetworkPolicy/aetherium-worker',
      'PodDisruptionBudget/aetherium-gateway',
      'Secret/aetherium-integrations',
      'Secret/aetherium-secrets',
      'Service/aetherium-gateway',
      'ServiceAccount/aetherium',
    ]);
  });

  it('production pins the image, owns no Secret and admits the API only from the ingress namespace', () => {
    const production = objects('production');
    expect(production.filter((object) => object.kind === 'Secret')).toEqual([]);
    const images = production
      .flatMap((object) => object.spec?.template?.spec?.containers ?? [])
      .map((container: { image: string }) => container.image);
    expect(new Set(images)).toEqual(new Set(['aetherium:0.1.0']));
    expect(
      production.every((object) => object.metadata.namespace === 'aetherium' || object.kind === 'Namespace'),
    ).toBe(true);
    const policy = find(production, 'NetworkPolicy', 'aetherium-gateway')!;
    expect(policy.spec.ingress[0].from).toEqual([
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } },
    ]);
  });

  it('dev brings its own PostgreSQL and Redis and fills the secrets for them', () => {
    const dev = objects('dev');
    const secret = find(dev, 'Secret', 'aetherium-secrets')!;
    const value = (key: string) => Buffer.from(secret.data![key]!.replace(/\n/g, ''), 'base64').toString();
    expect(value('DATABASE_URL')).toBe('postgres://aether:aether@aetherium-postgres:5432/aether');
    expect(value('REDIS_URL')).toBe('redis://aetherium-redis:6379');
    expect(value('AETHER_CLUSTER_SECRET').length).toBeGreaterThanOrEqual(32);
    const redis = find(dev, 'Deployment', 'aetherium-redis')!;
    expect(redis.spec.template.spec.containers[0].args.join(' ')).toContain('--maxmemory-policy noeviction');
    expect(find(dev, 'Service', 'aetherium-postgres')).toBeDefined();
  });

  describe('the checks catch what they are for', () => {
    const mutate = (change: (objects: KubeObject[]) => void) => {
      const copy = structuredClone(objects('base'));
      change(copy);
      return manifestProblems(copy);
    };
    const gatewayContainer = (all: KubeObject[]) =>
      find(all, 'Deployment', 'aetherium-gateway')!.spec.template.spec.containers[0];

    it('a readiness probe on the wrong path', () => {
      expect(
        mutate((all) => (gatewayContainer(all).readinessProbe.httpGet.path = '/api/v1/health')),
      ).toContain('Deployment/aetherium-gateway container gateway: readiness probe is not GET /api/v1/ready');
    });

    it('a privileged container without a reason', () => {
      const problems = mutate((all) => {
        delete find(all, 'DaemonSet', 'aetherium-worker')!.spec.template.metadata.annotations[
          PRIVILEGE_REASON
        ];
      });
      expect(problems.join('\n')).toMatch(/privileged, added capabilities or root without/);
    });

    it('a selector that misses its pods, and a Service and a policy that select nothing', () => {
      const problems = mutate((all) => {
        find(all, 'Deployment', 'aetherium-gateway')!.spec.template.metadata.labels[
          'app.kubernetes.io/component'
        ] = 'api';
      });
      expect(problems).toEqual(
        expect.arrayContaining([
          'Deployment/aetherium-gateway: selector does not match its pod labels',
          'Service/aetherium-gateway selects no pod',
          'NetworkPolicy/aetherium-gateway selects no pod',
          'PodDisruptionBudget/aetherium-gateway selects no pod',
        ]),
      );
    });

    it('a worker off the KVM nodes, and one that cannot drain in time', () => {
      const problems = mutate((all) => {
        const worker = find(all, 'DaemonSet', 'aetherium-worker')!;
        worker.spec.template.spec.nodeSelector = {};
        worker.spec.template.spec.terminationGracePeriodSeconds = 30;
      });
      expect(problems.join('\n')).toMatch(/nodeSelector lacks aetherium.dev\/kvm/);
      expect(problems.join('\n')).toMatch(/30000 ms to stop, but the drain alone takes 30000 ms/);
    });

    it('an option that does not exist, and a value Aetherium refuses', () => {
      const problems = mutate((all) => {
        const config = find(all, 'ConfigMap', 'aetherium-config')!;
        config.data!.AETHER_WORKERS = '3';
        config.data!.AETHER_LOG_LEVEL = 'loud';
      });
      expect(problems.join('\n')).toMatch(/AETHER_WORKERS is no Aetherium option/);
      expect(problems.join('\n')).toMatch(/refuses its environment: .*AETHER_LOG_LEVEL/);
    });

    it('a writable root file system and a missing Secret', () => {
      const problems = mutate((all) => {
        gatewayContainer(all).securityContext.readOnlyRootFilesystem = false;
        all.splice(all.indexOf(find(all, 'Secret', 'aetherium-secrets')!), 1);
      });
      expect(problems).toEqual(
        expect.arrayContaining([
          'Deployment/aetherium-gateway container gateway: root file system is writable',
          'Deployment/aetherium-gateway container gateway: no Secret aetherium-secrets',
        ]),
      );
    });

    it('a misspelt field, which the JSON schemas let through', async () => {
      const copy = structuredClone(objects('base'));
      const container = gatewayContainer(copy);
      container.readinesProbe = container.readinessProbe;
      delete container.readinessProbe;
      expect(await schemaProblems(copy)).toEqual([]);
      expect(unknownFieldProblems(copy).join('\n')).toMatch(
        /'"readinesProbe"' does not exist in type 'IContainer'/,
      );
    });
  });
});
