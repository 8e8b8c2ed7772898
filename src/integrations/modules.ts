/**
 * The integrations of this build, one module each (see IntegrationModule in contract.ts). The
 * runtime loops over this list to build the configuration, open a gateway's integrations and
 * write docs/configuration.md. A new integration is its own folder plus one entry here
 * (docs/extending.md).
 */
import { githubIntegrationModule } from './github/module.js';
import { slackIntegrationModule } from './slack/module.js';

export const INTEGRATION_MODULES = [githubIntegrationModule, slackIntegrationModule] as const;
