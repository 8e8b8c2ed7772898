// The answer of GET /integrations (admin), declared here until the generated OpenAPI types
// carry it; then these become aliases of `Schemas[...]`.

/** One inbound webhook the integration received, and what came of it. */
export interface IntegrationDelivery {
  id: string;
  event: string;
  outcome: string;
  status: string;
  code: string | null;
  at: string;
}

export interface IntegrationInfo {
  name: string;
  ok: boolean;
  message: string;
  deliveries: IntegrationDelivery[];
}

export interface IntegrationList {
  integrations: IntegrationInfo[];
}
