/**
 * Layering rule: lower layers never import higher ones, and nothing imports in a cycle.
 *   core < protocol < agent ; core < metrics < worker, gateway
 *   core < drivers (+ protocol) ; core < images ; core < pglite < store, queue ; core < events
 *   core < network < worker, runtime (drivers get a network attachment as data, never the layer)
 *   core < service < worker, gateway < runtime < cli ; core < client < cli
 *   core < api < gateway, client (the wire contract: schemas and the route table)
 *   core < logs < runtime (shipping to Loki or the store; the gateway reads through core's LogReader)
 *   core < integrations < runtime (GitHub, Slack: the task service through their own narrow port;
 *     the gateway hands webhooks over through core's WebhookReceiver)
 */
const layer = (name, allowed) => ({
  name: `${name}-layer`,
  comment: `src/${name} may import only: ${allowed.join(', ') || 'nothing of ours'}`,
  severity: 'error',
  from: { path: `^src/${name}/` },
  to: { path: '^src/', pathNot: [`^src/${name}/`, ...allowed.map((a) => `^src/${a}/`)] },
});

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
    layer('client', ['core', 'api']),
    layer('runtime', ['core', 'drivers', 'images', 'network', 'pglite', 'store', 'queue', 'events', 'logs', 'service', 'metrics', 'worker', 'gateway', 'integrations']),
    layer('cli', ['core', 'client', 'runtime']),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.test\\.ts$' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
