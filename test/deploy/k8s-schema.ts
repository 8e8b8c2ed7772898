/**
 * Checks rendered objects against the Kubernetes OpenAPI schemas, through the validators the
 * `kubernetes-models` package generates from them (one class per apiVersion and kind, each with
 * a compiled JSON-schema `validate()`). An object of a kind the package lacks is a failure too.
 */
import type { KubeObject } from './k8s-objects.js';
import { keyOf } from './k8s-objects.js';

interface ModelClass {
  new (data: unknown): { validate(): void };
}

/** `kubernetes-models/apps/v1/Deployment`, `kubernetes-models/v1/Service`, ... */
function modelPath(object: KubeObject): string {
  return `kubernetes-models/${object.apiVersion}/${object.kind}`;
}

async function modelFor(object: KubeObject): Promise<ModelClass> {
  const module = (await import(modelPath(object))) as Record<string, ModelClass | undefined>;
  const model = module[object.kind];
  if (!model) throw new Error(`${modelPath(object)} exports no ${object.kind}`);
  return model;
}

/**
 * kustomize writes a generated Secret's base64 values in 76-character lines; the API server's
 * decoder (Go's encoding/base64) skips line breaks, the schema's `byte` format does not.
 */
function asSent(object: KubeObject): KubeObject {
  if (object.kind !== 'Secret' || !object.data) return object;
  const data = Object.fromEntries(
    Object.entries(object.data).map(([key, value]) => [key, value.replace(/[\r\n]/g, '')]),
  );
  return { ...object, data };
}

/** One line per object that fails, naming it and what is wrong; empty when every one is valid. */
export async function schemaProblems(objects: KubeObject[]): Promise<string[]> {
  const problems: string[] = [];
  for (const object of objects) {
    if (typeof object.apiVersion !== 'string' || typeof object.kind !== 'string') {
      problems.push(`an object without apiVersion or kind: ${JSON.stringify(object).slice(0, 120)}`);
      continue;
    }
    try {
      const Model = await modelFor(object);
      new Model(asSent(object)).validate();
    } catch (error) {
      problems.push(`${keyOf(object)}: ${(error as Error).message}`);
    }
  }
  return problems;
}
