import { describe, expect, it } from 'vitest';
import { loadConfig } from '../runtime/config.js';
import { integrationSettings } from './registry.js';

const base = { AETHER_DATA_DIR: '/tmp/x' };

describe('integration settings', () => {
  it('turns an integration on when its secrets are set, and leaves it off otherwise', () => {
    expect(integrationSettings(loadConfig(base))).toMatchObject({ github: null, slack: null });
    const on = integrationSettings(
      loadConfig({
        ...base,
        GITHUB_TOKEN: 't',
        GITHUB_WEBHOOK_SECRET: 's',
        SLACK_BOT_TOKEN: 'xoxb',
        SLACK_SIGNING_SECRET: 'ss',
        AETHER_GITHUB_REPOSITORIES: 'Acme/Widgets, acme/gadgets',
      }),
    );
    expect(on.github).toMatchObject({
      token: 't',
      app: null,
      repositories: ['acme/widgets', 'acme/gadgets'],
    });
    expect(on.github?.access).toEqual({ project: 'integrations', all: false });
    expect(on.slack).toMatchObject({ apiUrl: 'https://slack.com/api', channel: '' });
    expect(on.subscriptions).toEqual([
      { event: 'task.failed', integration: 'slack' },
      { event: 'vm.lost', integration: 'slack' },
    ]);
  });

  it('refuses an integration named in integrations.enabled without its secrets, saying which', () => {
    expect(() => integrationSettings(loadConfig({ ...base, AETHER_INTEGRATIONS: 'github' }))).toThrow(
      /GITHUB_WEBHOOK_SECRET/,
    );
    expect(() =>
      integrationSettings(loadConfig({ ...base, AETHER_INTEGRATIONS: 'slack', SLACK_BOT_TOKEN: 'x' })),
    ).toThrow(/SLACK_SIGNING_SECRET/);
  });

  it('never shows a secret in a configuration error', () => {
    let message = '';
    try {
      loadConfig({ ...base, AETHER_GITHUB_APP_PRIVATE_KEY: 'hunter2-not-a-pem' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/AETHER_GITHUB_APP_PRIVATE_KEY="\*\*\*"/);
    expect(message).not.toContain('hunter2');
    expect(() => loadConfig({ ...base, AETHER_INTEGRATIONS: 'gitlab' })).toThrow(/among github, slack/);
    expect(() => loadConfig({ ...base, AETHER_INTEGRATIONS_SUBSCRIPTIONS: 'task.failed=email' })).toThrow(
      /event=integration/,
    );
  });
});
