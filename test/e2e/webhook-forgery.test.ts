/**
 * Generated forged and tampered webhooks against a real gateway with GitHub and Slack on: a bad or
 * missing signature, the wrong secret, one byte of the body or the signature changed, a stale or
 * future timestamp, a replayed delivery. Every one is refused (401, or 409 for a replay) and
 * reaches nothing: no VM is made and no call goes out. The valid request each is made from is
 * accepted.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACCESS } from '../../src/core/principal.js';
import { signGitHubBody } from '../../src/integrations/github/signature.js';
import { signSlackRequest } from '../../src/integrations/slack/signature.js';
import { startTestNode, type TestNode } from '../support/embedded-node.js';
import { type FakeServices, startFakeServices } from '../support/fake-github-slack.js';
import { sandboxesAvailable } from '../support/sandboxes.js';

const canRun = await sandboxesAvailable('webhook forgery');
const RUNS = Number(process.env.FORGED_WEBHOOKS ?? 600);
const GITHUB_SECRET = randomBytes(20).toString('hex');
const SLACK_SECRET = randomBytes(16).toString('hex');

type Headers = Record<string, string>;
interface Delivery {
  body: Buffer;
  headers: Headers;
}

/** Flips one bit of one byte of `text` at `at` (mod its length). */
function flipByte(data: Buffer, at: number, bit: number): Buffer {
  const copy = Buffer.from(data);
  if (copy.length === 0) return Buffer.from([1]);
  copy[at % copy.length]! ^= 1 << (bit % 8);
  return copy;
}

function flipChar(text: string, at: number): string {
  const i = at % text.length;
  const c = text[i] === 'a' ? 'b' : 'a';
  return text.slice(0, i) + c + text.slice(i + 1);
}

describe.skipIf(!canRun)('forged and tampered webhooks', () => {
  let node: TestNode;
  let fake: FakeServices;
  let gitRoot: string;
  let slackSeconds: () => number;

  const send = (integration: string, { body, headers }: Delivery) =>
    node.node.app!.inject({ method: 'POST', url: `/api/v1/webhooks/${integration}`, headers, payload: body });

  const github = (payload: unknown, delivery = randomUUID(), secret = GITHUB_SECRET): Delivery => {
    const body = Buffer.from(JSON.stringify(payload));
    return {
      body,
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'ping',
        'x-github-delivery': delivery,
        'x-hub-signature-256': signGitHubBody(secret, body),
      },
    };
  };
  const slack = (form: Record<string, string>, seconds = slackSeconds(), secret = SLACK_SECRET): Delivery => {
    const body = Buffer.from(new URLSearchParams(form).toString());
    const timestamp = String(seconds);
    return {
      body,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-slack-request-timestamp': timestamp,
        'x-slack-signature': signSlackRequest(secret, timestamp, body),
      },
    };
  };

  beforeAll(async () => {
    gitRoot = mkdtempSync(path.join(os.tmpdir(), 'aether-git-'));
    fake = await startFakeServices({ gitRoot });
    node = await startTestNode({
      GITHUB_TOKEN: 'ghp_forgery_test_token',
      GITHUB_WEBHOOK_SECRET: GITHUB_SECRET,
      AETHER_GITHUB_API_URL: fake.githubApi,
      SLACK_BOT_TOKEN: 'xoxb-forgery-test',
      SLACK_SIGNING_SECRET: SLACK_SECRET,
      AETHER_SLACK_API_URL: fake.slackApi,
      AETHER_INTEGRATIONS_SUBSCRIPTIONS: '',
    });
    slackSeconds = () => Math.floor(Date.now() / 1000);
  }, 60_000);

  afterAll(async () => {
    await node?.stop();
    await fake?.close();
    rmSync(gitRoot, { recursive: true, force: true });
  });

  const hookPayload = fc.record({
    zen: fc.string({ maxLength: 200 }),
    hook_id: fc.integer({ min: 1 }),
    extra: fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }),
  });

  it(`refuses ${RUNS} tampered GitHub deliveries and accepts the valid ones`, async () => {
    let refused = 0;
    let accepted = 0;
    const tamper = fc.constantFrom(
      'no signature',
      'wrong secret',
      'body byte flipped',
      'signature char flipped',
      'signature truncated',
      'sha1 header instead',
      'other body signed',
      'bare hex',
      'replay',
    );
    await fc.assert(
      fc.asyncProperty(hookPayload, tamper, fc.nat(), fc.nat(7), async (payload, how, at, bit) => {
        const valid = github(payload);
        const forged: Delivery = { body: valid.body, headers: { ...valid.headers } };
        const signature = valid.headers['x-hub-signature-256']!;
        switch (how) {
          case 'no signature':
            delete forged.headers['x-hub-signature-256'];
            break;
          case 'wrong secret':
            forged.headers['x-hub-signature-256'] = signGitHubBody(
              randomBytes(20).toString('hex'),
              valid.body,
            );
            break;
          case 'body byte flipped':
            forged.body = flipByte(valid.body, at, bit);
            break;
          case 'signature char flipped':
            forged.headers['x-hub-signature-256'] = `sha256=${flipChar(signature.slice(7), at)}`;
            break;
          case 'signature truncated':
            forged.headers['x-hub-signature-256'] = signature.slice(0, 7 + (at % 64));
            break;
          case 'sha1 header instead':
            delete forged.headers['x-hub-signature-256'];
            forged.headers['x-hub-signature'] = `sha1=${signature.slice(7, 47)}`;
            break;
          case 'other body signed':
            forged.headers['x-hub-signature-256'] = signGitHubBody(
              GITHUB_SECRET,
              `${valid.body.toString()} `,
            );
            break;
          case 'bare hex':
            forged.headers['x-hub-signature-256'] = signature.slice(7);
            break;
          case 'replay':
            break;
        }
        if (how === 'replay') {
          const first = await send('github', valid);
          expect(first.statusCode, first.body).toBe(200);
          accepted++;
          const again = await send('github', valid);
          expect(again.statusCode, again.body).toBe(409);
          expect(again.json().error.code).toBe('ERR_WEBHOOK_REPLAYED');
        } else {
          const res = await send('github', forged);
          expect(res.statusCode, `${how}: ${res.body}`).toBe(401);
          expect(res.json().error.code).toBe('ERR_WEBHOOK_UNVERIFIED');
          // The valid delivery it was made from is taken (its id was never claimed).
          const ok = await send('github', valid);
          expect(ok.statusCode, ok.body).toBe(200);
          expect(ok.json()).toMatchObject({ accepted: true, action: 'pong' });
          accepted++;
        }
        refused++;
      }),
      { numRuns: RUNS },
    );
    expect(refused).toBe(RUNS);
    expect(accepted).toBe(RUNS);
  }, 300_000);

  it(`refuses ${RUNS} tampered Slack requests and accepts the valid ones`, async () => {
    let refused = 0;
    const form = fc.record({
      command: fc.constantFrom('/aetherium-help', '/aetherium-nothing'),
      text: fc.string({ maxLength: 200 }),
      user_id: fc.stringMatching(/^U[A-Z0-9]{8}$/),
      channel_id: fc.stringMatching(/^C[A-Z0-9]{8}$/),
    });
    const tamper = fc.constantFrom(
      'no signature',
      'no timestamp',
      'wrong secret',
      'body byte flipped',
      'signature char flipped',
      'timestamp changed',
      'stale',
      'future',
      'v1 prefix',
      'replay',
    );
    await fc.assert(
      fc.asyncProperty(
        form,
        tamper,
        fc.nat(),
        fc.nat(7),
        fc.integer({ min: 301, max: 100_000 }),
        async (fields, how, at, bit, skew) => {
          const full = { ...fields, response_url: `${fake.url}/slack/respond/${randomUUID()}` };
          const valid = slack(full);
          let forged: Delivery = { body: valid.body, headers: { ...valid.headers } };
          const signature = valid.headers['x-slack-signature']!;
          switch (how) {
            case 'no signature':
              delete forged.headers['x-slack-signature'];
              break;
            case 'no timestamp':
              delete forged.headers['x-slack-request-timestamp'];
              break;
            case 'wrong secret':
              forged = slack(full, slackSeconds(), randomBytes(16).toString('hex'));
              break;
            case 'body byte flipped':
              forged.body = flipByte(valid.body, at, bit);
              break;
            case 'signature char flipped':
              forged.headers['x-slack-signature'] = `v0=${flipChar(signature.slice(3), at)}`;
              break;
            case 'timestamp changed':
              forged.headers['x-slack-request-timestamp'] = String(slackSeconds() - 1 - (at % 200));
              break;
            case 'stale':
              forged = slack(full, slackSeconds() - skew);
              break;
            case 'future':
              forged = slack(full, slackSeconds() + skew);
              break;
            case 'v1 prefix':
              forged.headers['x-slack-signature'] = `v1=${signature.slice(3)}`;
              break;
            case 'replay':
              break;
          }
          if (how === 'replay') {
            expect((await send('slack', valid)).statusCode).toBe(200);
            const again = await send('slack', valid);
            expect(again.statusCode, again.body).toBe(409);
            expect(again.json().error.code).toBe('ERR_WEBHOOK_REPLAYED');
          } else {
            const res = await send('slack', forged);
            expect(res.statusCode, `${how}: ${res.body}`).toBe(401);
            expect(res.json().error.code).toBe('ERR_WEBHOOK_UNVERIFIED');
            const ok = await send('slack', valid);
            expect(ok.statusCode, ok.body).toBe(200);
            expect(ok.json().text).toMatch(/^Unknown command/);
          }
          refused++;
        },
      ),
      { numRuns: RUNS },
    );
    expect(refused).toBe(RUNS);
  }, 300_000);

  it('answers hostile names, bodies and content types with a 4xx and a code, never a crash', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.constantFrom('github', 'slack', '..', '%2e%2e', 'GITHUB', 'slack%00'),
          fc.string({ maxLength: 80 }),
        ),
        fc.oneof(
          fc.uint8Array({ maxLength: 2048 }),
          fc.string({ maxLength: 2048 }).map((t) => Buffer.from(t)),
        ),
        fc.constantFrom(
          undefined,
          'application/json',
          'application/x-www-form-urlencoded',
          'text/plain',
          'multipart/form-data; boundary=x',
          'application/json; charset=utf-16',
          '*/*',
          '',
        ),
        fc.option(fc.string({ maxLength: 100 }), { nil: undefined }),
        async (name, body, contentType, signature) => {
          const headers: Headers = {};
          if (contentType !== undefined) headers['content-type'] = contentType;
          if (signature !== undefined) {
            headers['x-hub-signature-256'] = signature;
            headers['x-slack-signature'] = signature;
            headers['x-slack-request-timestamp'] = String(Math.floor(Date.now() / 1000));
          }
          const res = await node.node.app!.inject({
            method: 'POST',
            url: `/api/v1/webhooks/${encodeURIComponent(name)}`,
            headers,
            payload: Buffer.from(body),
          });
          expect(res.statusCode, `${name} ${contentType}: ${res.body}`).toBeGreaterThanOrEqual(400);
          expect(res.statusCode, `${name} ${contentType}: ${res.body}`).toBeLessThan(500);
          expect(res.json().error.code).toMatch(/^ERR_/);
        },
      ),
      { numRuns: 500 },
    );
  }, 120_000);

  it('refuses webhooks for integrations that are not on, and nothing reached a VM or GitHub', async () => {
    const res = await send('gitlab', github({ zen: 'x' }));
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('ERR_WEBHOOK_UNVERIFIED');
    expect(await node.node.services.vms.list(SYSTEM_ACCESS, { includeDeleted: true })).toEqual([]);
    // Unknown slash commands answer in the request; nothing went out.
    expect(fake.requests.filter((r) => r.path.startsWith('/github/'))).toEqual([]);
  });
});
