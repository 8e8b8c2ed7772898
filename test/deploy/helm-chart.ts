/**
 * `helm template` for our chart, without helm: reads Chart.yaml and values.yaml, merges
 * overrides as `--set`/`-f` would (maps deep, everything else replaced), renders every file
 * under templates/ with the small engine (helm-template-*.ts), and parses the output as
 * Kubernetes objects. Files whose name starts with `_` only define templates, as in Helm.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { parseTemplate } from './helm-template-parse.js';
import { Renderer } from './helm-template-render.js';
import type { KubeObject } from './k8s-objects.js';

export interface ReleaseOptions {
  name: string;
  namespace: string;
  /** Deep-merged over values.yaml. */
  values?: Record<string, unknown>;
}

export interface RenderedChart {
  objects: KubeObject[];
  /** templates/NOTES.txt, rendered. */
  notes: string;
  /** Rendered text of each template file, by name. */
  files: Map<string, string>;
}

function isMap(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Helm's coalescing of user values over defaults: maps merge, anything else is replaced; null deletes. */
export function mergeValues(
  base: Record<string, unknown>,
  over: Record<string, unknown>,
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === null) delete merged[key];
    else if (isMap(value) && isMap(merged[key])) merged[key] = mergeValues(merged[key], value);
    else merged[key] = value;
  }
  return merged;
}

/** Chart.yaml's fields as templates see them (`.Chart.Name`, `.Chart.AppVersion`). */
function chartObject(chartDir: string): Record<string, unknown> {
  const chart = parse(readFileSync(path.join(chartDir, 'Chart.yaml'), 'utf8')) as Record<string, unknown>;
  return Object.fromEntries(
    Object.entries(chart).map(([key, value]) => [
      key === 'apiVersion' ? 'APIVersion' : key[0]!.toUpperCase() + key.slice(1),
      value,
    ]),
  );
}

export function renderChart(chartDir: string, release: ReleaseOptions): RenderedChart {
  const templatesDir = path.join(chartDir, 'templates');
  const names = readdirSync(templatesDir).sort();
  const parsed = names.map((name) => ({
    name,
    ...parseTemplate(readFileSync(path.join(templatesDir, name), 'utf8'), `templates/${name}`),
  }));
  const named = new Map(parsed.flatMap((file) => [...file.defines]));
  const renderer = new Renderer({ named });
  const defaults = parse(readFileSync(path.join(chartDir, 'values.yaml'), 'utf8')) as Record<string, unknown>;
  const context = {
    Values: mergeValues(defaults, release.values ?? {}),
    Release: {
      Name: release.name,
      Namespace: release.namespace,
      Service: 'Helm',
      IsInstall: true,
      IsUpgrade: false,
      Revision: 1,
    },
    Chart: chartObject(chartDir),
  };
  const files = new Map<string, string>();
  const objects: KubeObject[] = [];
  let notes = '';
  for (const file of parsed) {
    if (file.name.startsWith('_')) continue;
    const rendered = renderer.render(file.body, context);
    files.set(file.name, rendered);
    if (file.name === 'NOTES.txt') {
      notes = rendered;
      continue;
    }
    for (const document of parseAllDocuments(rendered)) {
      if (document.errors.length > 0) {
        throw new Error(`templates/${file.name} rendered invalid YAML: ${document.errors[0]!.message}`);
      }
      const object = document.toJS() as KubeObject | null;
      if (object !== null) objects.push(object);
    }
  }
  return { objects, notes, files };
}
