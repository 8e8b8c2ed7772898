/**
 * Unknown fields. The upstream OpenAPI schemas leave `additionalProperties` open, so a
 * misspelt field (`readinesProbe`, `securityContex`) passes a JSON-schema check, and an API
 * server would drop it with a warning. kubernetes-models also ships TypeScript interfaces
 * generated from the same schemas; assigning each rendered object, as an object literal, to its
 * kind's interface makes the TypeScript compiler's excess-property check name every field the
 * API does not have, at any depth. The program is built in memory: nothing is written to disk.
 */
import path from 'node:path';
import ts from 'typescript';
import type { KubeObject } from './k8s-objects.js';
import { keyOf } from './k8s-objects.js';

const VIRTUAL = path.resolve('test/deploy/__rendered-objects__.ts');

function sourceFor(objects: KubeObject[]): string {
  const lines: string[] = [];
  objects.forEach((object, index) => {
    const module = `kubernetes-models/${object.apiVersion}/${object.kind}`;
    lines.push(`import type { I${object.kind} as T${index} } from '${module}';`);
    lines.push(`export const o${index}: T${index} = ${JSON.stringify(object)};`);
  });
  return `${lines.join('\n')}\n`;
}

/** One line per field (or type) the Kubernetes API does not accept, naming the object. */
export function unknownFieldProblems(all: KubeObject[]): string[] {
  // Renderings share most objects: each distinct one is checked once.
  const objects = [...new Map(all.map((object) => [JSON.stringify(object), object])).values()];
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const source = sourceFor(objects);
  const readFile = host.readFile.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (file) => (path.resolve(file) === VIRTUAL ? source : readFile(file));
  host.fileExists = (file) => path.resolve(file) === VIRTUAL || ts.sys.fileExists(file);
  host.getSourceFile = (file, language, onError, create) =>
    path.resolve(file) === VIRTUAL
      ? ts.createSourceFile(file, source, language)
      : getSourceFile(file, language, onError, create);
  const program = ts.createProgram([VIRTUAL], options, host);
  const file = program.getSourceFile(VIRTUAL)!;
  const diagnostics = [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)];
  return diagnostics.map((diagnostic) => {
    const line =
      diagnostic.start === undefined ? 0 : file.getLineAndCharacterOfPosition(diagnostic.start).line;
    const object = objects[Math.floor(line / 2)];
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ');
    return `${object ? keyOf(object) : `line ${line + 1}`}: ${message}`;
  });
}
