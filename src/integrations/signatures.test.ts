import { describe, expect, it } from 'vitest';
import { signGitHubBody, verifyGitHubSignature } from './github/signature.js';
import { signSlackRequest, verifySlackSignature } from './slack/signature.js';

describe('webhook signatures', () => {
  it("match GitHub's documented example (X-Hub-Signature-256)", () => {
    const body = Buffer.from('Hello, World!');
    const expected = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';
    expect(signGitHubBody("It's a Secret to Everybody", body)).toBe(expected);
    expect(verifyGitHubSignature("It's a Secret to Everybody", body, expected)).toBe(true);
    expect(verifyGitHubSignature("It's a Secret to Everybody", body, expected.toUpperCase())).toBe(false);
    expect(verifyGitHubSignature('', body, signGitHubBody('', body))).toBe(false);
  });

  it("match Slack's documented example (v0 over v0:timestamp:body), within five minutes only", () => {
    const secret = '8f742231b10e8888abcd99yyyzzz85a5';
    const timestamp = '1531420618';
    const body = Buffer.from(
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c',
    );
    const expected = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503';
    expect(signSlackRequest(secret, timestamp, body)).toBe(expected);
    const at = Number(timestamp) * 1000;
    expect(verifySlackSignature(secret, body, timestamp, expected, at + 299_000)).toBe('ok');
    expect(verifySlackSignature(secret, body, timestamp, expected, at + 301_000)).toBe('stale');
    expect(verifySlackSignature(secret, body, timestamp, expected, at - 301_000)).toBe('stale');
    expect(verifySlackSignature(secret, body, undefined, expected, at)).toBe('unsigned');
    expect(verifySlackSignature(secret, body, '1e9', expected, at)).toBe('unsigned');
    expect(verifySlackSignature(`${secret}x`, body, timestamp, expected, at)).toBe('mismatch');
  });
});
