// The drivers this gateway's build offers. No endpoint lists them on their own; the OpenAPI
// document does (its `DriverNameInput` schema is the build's drivers as an enum), so it is read
// once per page load and shared.
import { useEffect, useState } from 'preact/hooks';
import { get, type Schemas } from '../../lib/api';

let offered: Promise<string[] | null> | null = null;

function driversOf(document: Schemas['OpenApiDocument']): string[] | null {
  const components = document.components as { schemas?: Record<string, { enum?: unknown }> } | undefined;
  const schema = components?.schemas?.DriverNameInput ?? components?.schemas?.DriverName;
  const names = schema?.enum;
  if (!Array.isArray(names)) return null;
  const drivers = names.filter((name): name is string => typeof name === 'string');
  return drivers.length > 0 ? drivers : null;
}

function loadDrivers(): Promise<string[] | null> {
  offered ??= get<Schemas['OpenApiDocument']>('/openapi.json')
    .then(driversOf)
    .catch(() => {
      offered = null; // try again next time rather than remember a failure
      return null;
    });
  return offered;
}

/** The offered driver names; `undefined` while reading, `null` when they cannot be known. */
export function useDrivers(): string[] | null | undefined {
  const [drivers, setDrivers] = useState<string[] | null | undefined>(undefined);
  useEffect(() => {
    let live = true;
    void loadDrivers().then((names) => {
      if (live) setDrivers(names);
    });
    return () => {
      live = false;
    };
  }, []);
  return drivers;
}
