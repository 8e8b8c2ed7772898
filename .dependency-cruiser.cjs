/**
 * Layering rule: lower layers never import higher ones, and nothing imports in a cycle.
 *   core < protocol < agent ; core < metrics < worker, gateway
 *   core < drivers (+ protocol) ; core < images ; core < pglite < store, queue ; core < events
 *   core < network < worker, runtime (drivers get a network attachment as data, never the layer)
 *   core < service < worker, gateway < runtime < cli
 *   core < api < gateway (the wire contract: schemas and the route table)
 *   packages/sdk (@aetherium/sdk, the client) < cli, mcp: the SDK imports nothing of src, and only
 *     the client side of src (cli, mcp) imports it; its wire types come from the OpenAPI document
 *   core < mcp < cli (`aether mcp`: the MCP server, loaded through import() only)
 *   core < logs < runtime (shipping to Loki or the store; the gateway reads through core's LogReader)
 *   core < integrations < runtime (GitHub, Slack: the task service through their own narrow port;
 *     the gateway hands webhooks over through core's WebhookReceiver)
 * Test code stays out of the build: suites, fakes and fixtures live in src/testing, which no
 * production module imports. The CLI is a client: its client commands load the SDK and never
 * the runtime; server commands (up, gateway, worker, migrate, image, network, doctor) load the
 * runtime only inside their action, through import() (of src/cli/server-commands or the runtime).
 */
const layer = (name, allowed) => ({
  name: `${name}-layer`,
  comment: `src/${name} may import only: ${allowed.join(', ') || 'nothing of ours'}`,
  severity: 'error',
  from: { path: `^src/${name}/` },
  to: { path: '^src/', pathNot: [`^src/${name}/`, ...allowed.map((a) => `^src/${a}/`)] },
});

/** Registrations of the server commands: they may reach the runtime, but only through import(). */
const CLI_SERVER_COMMANDS = '^src/cli/commands/(server|image|network|doctor)\\.ts$';
/** What server commands run, with the runtime imported as usual; loaded only through import(). */
const CLI_SERVER_CODE = '^src/cli/server-commands/';

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    layer('core', []),
    layer('protocol', ['core']),
    layer('agent', ['protocol', 'core']),
    layer('drivers', ['core', 'protocol']),
    layer('images', ['core']),
    layer('network', ['core']),
    layer('pglite', ['core']),
    layer('store', ['core', 'pglite']),
    layer('queue', ['core', 'pglite']),
    layer('events', ['core']),
    layer('logs', ['core']),
    layer('integrations', ['core']),
    layer('api', ['core']),
    layer('metrics', ['core']),
    layer('service', ['core']),
    layer('worker', ['core', 'service', 'metrics', 'network']),
    layer('gateway', ['core', 'api', 'service', 'metrics']),
    layer('runtime', ['core', 'drivers', 'images', 'network', 'pglite', 'store', 'queue', 'events', 'logs', 'service', 'metrics', 'worker', 'gateway', 'integrations']),
    layer('mcp', ['core']),
    layer('cli', ['core', 'runtime', 'mcp']),
    {
      name: 'cli-loads-mcp-lazily',
      comment: '`aether mcp` loads the MCP server (and its SDK) inside its action, so other commands never pay for it',
      severity: 'error',
      from: { path: '^src/cli/' },
      to: { path: '^src/mcp/', dependencyTypesNot: ['dynamic-import', 'type-only'] },
    },
    {
      name: 'sdk-stands-alone',
      comment: '@aetherium/sdk is installed on its own: it may import nothing of the server',
      severity: 'error',
      from: { path: '^packages/sdk/src/' },
      to: { path: '^src/' },
    },
    {
      name: 'sdk-only-in-clients',
      comment: 'the server never goes through the public client; only the CLI and the MCP server do',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/cli/', '^src/mcp/', '^src/testing/'] },
      to: { path: '^packages/sdk/' },
    },
    {
      name: 'no-test-code-in-production',
      comment: 'suites, fakes and fixtures (src/testing) are for tests only; the build leaves them out',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/testing/', '\\.test\\.ts$'] },
      to: { path: '^src/testing/' },
    },
    {
      name: 'cli-client-commands-no-runtime',
      comment: 'client commands reach a gateway through the SDK; they never load the runtime',
      severity: 'error',
      from: { path: '^src/cli/', pathNot: [CLI_SERVER_COMMANDS, CLI_SERVER_CODE] },
      to: { path: ['^src/runtime/', CLI_SERVER_CODE] },
    },
    {
      name: 'cli-server-commands-load-runtime-lazily',
      comment: 'server commands load the runtime inside their action (import()), so defining them costs nothing',
      severity: 'error',
      from: { path: CLI_SERVER_COMMANDS },
      to: { path: ['^src/runtime/', CLI_SERVER_CODE], dependencyTypesNot: ['dynamic-import', 'type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.test\\.ts$' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
