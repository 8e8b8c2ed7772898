/**
 * The dashboard in a real browser (Debian's Chromium, driven by playwright-core) against a real
 * node: sign in with a key, create a VM, run a command and watch its output arrive, move a file
 * both ways, type in the terminal, open a preview URL, stop, start, delete, sign out; a second
 * project's key sees nothing of the first; a wrong key is refused. Every page is scanned with
 * axe-core and photographed into test-artifacts/dashboard/.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AetherClient } from '@aetherium/sdk';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from '../support/axe.js';
import { artifactDir, chromiumAvailable, launchChromium } from '../support/browser.js';
import { startTestNode, useTestNode } from '../support/embedded-node.js';
import { sandboxesAvailable } from '../support/sandboxes.js';

const canRun =
  (await sandboxesAvailable('the dashboard')) && (await chromiumAvailable('the dashboard tests'));
const node = useTestNode(canRun);
const shots = artifactDir('dashboard');
const VM = 'dash-e2e';
const OTHER_VM = 'dash-other-project';

/** A page an app in a VM serves: it tries to take the dashboard user's session. */
const HOSTILE_PAGE = `<!doctype html><title>app</title><p>served-from-the-vm</p>
<script>
fetch('/api/v1/sessions/current', { credentials: 'include' })
  .then((r) => r.text())
  .then((t) => { document.body.dataset.stolen = t; }, (e) => { document.body.dataset.stolen = 'refused: ' + e; });
</script>
`;

let browser: Browser;
let keyA: string;
let keyB: string;

/** A fresh browser profile (no cookie) on a laptop-sized window. */
async function freshPage(
  viewport = { width: 1366, height: 860 },
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  const page = await context.newPage();
  return { context, page };
}

async function signIn(page: Page, token: string): Promise<void> {
  await page.goto(`${node().url}/`);
  await expect.poll(() => page.url()).toContain('/sign-in');
  await page.getByLabel('API key or JWT').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Screenshot and accessibility scan of the page as it is now. */
async function record(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
  const violations = await seriousViolations(page);
  expect(violations, `${name}: ${JSON.stringify(violations, null, 2)}`).toEqual([]);
}

/** Waits until the VM page's live status badge reads `status`. */
async function vmStatus(page: Page, status: string): Promise<void> {
  await page
    .locator('.vm-status .badge')
    .filter({ hasText: new RegExp(`\\b${status}$`) })
    .waitFor({ timeout: 60_000 });
}

async function heading(page: Page, name: string | RegExp): Promise<void> {
  await page.getByRole('heading', { level: 1, name }).waitFor({ timeout: 15_000 });
}

describe.skipIf(!canRun)('the dashboard, in Chromium', () => {
  beforeAll(async () => {
    const { client } = node();
    keyA = (await client.createKey({ name: 'dash-a', project: 'dash-a' })).secret;
    keyB = (await client.createKey({ name: 'dash-b', project: 'dash-b' })).secret;
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('refuses a wrong key and keeps the user on sign-in, with the reason', async () => {
    const { context, page } = await freshPage();
    await signIn(page, 'aek_thisIsNotAKeyThatExists0000000000000000');
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('ERR_UNAUTHENTICATED');
    expect(page.url()).toContain('/sign-in');
    expect((await context.cookies()).filter((c) => c.name === 'aether_session')).toEqual([]);
    await record(page, 'sign-in');
    await context.close();
  });

  it('serves the page with a strict CSP, and the API as before', async () => {
    const res = await fetch(`${node().url}/vms`, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const api = await fetch(`${node().url}/api/v1/vms`);
    expect(api.status).toBe(401);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe('ERR_UNAUTHENTICATED');
  });

  it('takes a user through a VM from creation to deletion', async () => {
    const { context, page } = await freshPage();
    await signIn(page, keyA);
    await heading(page, 'Overview');
    // Nothing of the key in the page's storage: the session is the HttpOnly cookie alone.
    expect(await page.evaluate('localStorage.length + sessionStorage.length')).toBe(0);
    const cookie = (await context.cookies()).find((c) => c.name === 'aether_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });

    // Create.
    await page.getByRole('link', { name: 'VMs', exact: true }).click();
    await heading(page, 'VMs');
    await page.getByRole('link', { name: 'Create VM' }).click();
    await heading(page, 'Create a VM');
    await record(page, 'vm-create');
    await page.getByLabel('Name').fill(VM);
    await page.getByLabel('Driver').selectOption('process');
    await page.getByRole('button', { name: 'Create VM' }).click();
    await heading(page, VM);
    await vmStatus(page, 'running');
    await record(page, 'vm-overview');

    // A command's output, live: the first line shows while the command still runs.
    const sections = page.getByRole('navigation', { name: 'VM sections' });
    await sections.getByRole('link', { name: 'Executions', exact: true }).click();
    await page.getByLabel('Command').fill('echo first-line; sleep 3; echo last-line; echo oops >&2; exit 3');
    await page.getByRole('button', { name: 'Run' }).click();
    const output = page.getByRole('log', { name: 'Output' });
    await expect.poll(() => output.textContent(), { timeout: 20_000 }).toContain('first-line');
    expect(await output.textContent()).not.toContain('last-line');
    await expect.poll(() => output.textContent(), { timeout: 20_000 }).toContain('last-line');
    await expect.poll(() => output.textContent()).toContain('oops');
    await page
      .getByText(/Exited with code 3/)
      .first()
      .waitFor();
    await record(page, 'vm-executions');
    // The execution's own page: the stored output, its outcome.
    await page.getByRole('link', { name: '(open the execution)' }).click();
    await heading(page, /^Execution/);
    await page.getByText('last-line').first().waitFor();
    await record(page, 'execution');
    await page.goBack();
    await heading(page, VM);

    // A file up, then down.
    await sections.getByRole('link', { name: 'Files', exact: true }).click();
    await page.getByLabel('Choose a file').setInputFiles({
      name: 'notes.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('uploaded through the dashboard\n'),
    });
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.getByRole('link', { name: 'notes.txt' }).or(page.getByText('notes.txt')).first().waitFor();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: /Download notes\.txt/ }).click(),
    ]);
    expect(readFileSync((await download.path())!, 'utf8')).toBe('uploaded through the dashboard\n');
    await record(page, 'vm-files');

    // The terminal: typed keys reach the shell, its echo comes back.
    await sections.getByRole('link', { name: 'Terminal', exact: true }).click();
    const terminal = page.getByRole('region', { name: 'Terminal' });
    await terminal.waitFor();
    await page.locator('.xterm-rows').waitFor({ timeout: 20_000 });
    await terminal.click();
    await sleep(500);
    await page.keyboard.type('echo typed-$((6*7))\n', { delay: 20 });
    await expect
      .poll(() => page.locator('.xterm-rows').textContent(), { timeout: 20_000 })
      .toContain('typed-42');
    await record(page, 'vm-terminal');

    // A preview URL to a web server in the VM, opened in a new tab.
    const { client } = node();
    // The app is hostile: its page tries to read the signed-in user's session through the API.
    await client.execute(
      VM,
      { command: 'sh', args: ['-c', 'mkdir -p site && cat > site/index.html'], stdin: HOSTILE_PAGE },
      { wait: true },
    );
    await client.execute(VM, {
      command: 'python3',
      args: ['-m', 'http.server', '3000', '--bind', '127.0.0.1', '--directory', 'site'],
      timeout_ms: 0,
    });
    await sections.getByRole('link', { name: 'Previews', exact: true }).click();
    await page.getByLabel('Port').fill('3000');
    await page.getByRole('button', { name: 'Create preview URL' }).click();
    const opened = page.getByRole('link', { name: /^Open/ }).first();
    await opened.waitFor();
    let preview: Page | undefined;
    for (let attempt = 0; attempt < 40; attempt++) {
      const [tab] = await Promise.all([context.waitForEvent('page'), opened.click()]);
      await tab.waitForLoadState();
      if ((await tab.content()).includes('served-from-the-vm')) {
        preview = tab;
        break;
      }
      await tab.close();
      await sleep(500); // the server inside may still be binding its port
    }
    expect(preview, 'the preview URL never showed the page served in the VM').toBeDefined();
    // Sandboxed on the gateway's origin: the app's script got no session and no CSRF token.
    await expect.poll(() => preview!.evaluate('document.body.dataset.stolen ?? ""')).toMatch(/^refused/);
    expect(await context.request.get(`${node().url}/api/v1/sessions/current`).then((r) => r.status())).toBe(
      200,
    );
    await preview?.close();
    await record(page, 'vm-previews');

    // Stop and start, through the confirmation.
    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Stop', exact: true }).click();
    await vmStatus(page, 'stopped');
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await vmStatus(page, 'running');
    expect((await client.getVm(VM)).status).toBe('running');

    // Every list page, with this VM's records in it.
    for (const [link, title, shot] of [
      ['Overview', 'Overview', 'overview'],
      ['VMs', 'VMs', 'vms'],
      ['Executions', 'Executions', 'executions'],
      ['Tasks', 'Tasks', 'tasks'],
      ['Jobs', 'Jobs', 'jobs'],
      ['Snapshots', 'Snapshots', 'snapshots'],
      ['Logs', 'Logs', 'logs'],
      ['Webhooks', 'Webhooks', 'webhooks'],
      ['API keys', 'API keys', 'keys'],
    ] as const) {
      await page
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: link, exact: true })
        .click();
      await heading(page, title);
      await page.waitForLoadState('networkidle').catch(() => {});
      await record(page, shot);
    }
    // The pages of one record each: a task, a job (run through the API), a webhook subscription.
    const asA = new AetherClient({ baseUrl: node().url, token: keyA });
    const job = await asA.runJob(
      VM,
      { name: 'dash-job', steps: [{ command: 'echo', args: ['step-one'] }] },
      { wait: true },
    );
    const hook = await asA.createWebhook({ url: 'https://93.184.215.14/aether', events: ['vm.*'] });
    for (const [url, title, shot] of [
      [`/tasks/${job.task_id}`, /^Task/, 'task'],
      [`/jobs/${job.job.id}`, 'Job dash-job', 'job'],
      [`/webhooks/${hook.webhook.id}`, 'Webhook https://93.184.215.14/aether', 'webhook'],
    ] as const) {
      await page.goto(`${node().url}${url}`);
      await heading(page, title);
      await page.waitForLoadState('networkidle').catch(() => {});
      await record(page, shot);
    }

    await page.goto(`${node().url}/vms`);
    await page.getByRole('link', { name: VM }).click();
    await heading(page, VM);

    // Delete, confirmed: back to the list, and the store says it is gone.
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete', exact: true }).click();
    await heading(page, 'VMs');
    await expect
      .poll(async () => (await client.listVms()).filter((vm) => vm.name === VM).length, { timeout: 60_000 })
      .toBe(0);

    // Sign out: the same cookie no longer opens anything.
    const before = await context.request.get(`${node().url}/api/v1/vms`);
    expect(before.status()).toBe(200);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect.poll(() => page.url()).toContain('/sign-in');
    const stolen = cookie!;
    const replay = await fetch(`${node().url}/api/v1/vms`, {
      headers: { cookie: `${stolen.name}=${stolen.value}` },
    });
    expect(replay.status).toBe(401);
    await context.close();
  }, 300_000);

  it("keeps a second project's user out of the first project's VMs", async () => {
    const { client } = node();
    // A VM of project A, made with A's key through the API.
    const asA = new AetherClient({ baseUrl: node().url, token: keyA });
    await asA.createVm({ name: OTHER_VM, driver: 'process' }, { wait: true });

    const { context, page } = await freshPage({ width: 390, height: 844 });
    await signIn(page, keyB);
    await heading(page, 'Overview');
    await page.goto(`${node().url}/vms`);
    await heading(page, 'VMs');
    await page.waitForLoadState('networkidle').catch(() => {});
    expect(await page.content()).not.toContain(OTHER_VM);
    await record(page, 'vms-other-project-phone');
    // Straight to A's VM by name: not found, nothing of it shown.
    await page.goto(`${node().url}/vms/${OTHER_VM}`);
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('NOT_FOUND');
    const res = await context.request.get(`${node().url}/api/v1/vms`);
    expect(((await res.json()) as { vms: unknown[] }).vms).toEqual([]);
    await context.close();
    await client.deleteVm(OTHER_VM, { wait: true });
  }, 120_000);

  it('opens straight away, as an admin, on a loopback node with auth off', async () => {
    const open = await startTestNode({ AETHER_AUTH: 'off', AETHER_HOST: '127.0.0.1' });
    try {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${open.url}/vms`);
      await heading(page, 'VMs');
      await page.getByRole('link', { name: 'Queue', exact: true }).waitFor();
      expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
      await context.close();
    } finally {
      await open.stop();
    }
  }, 60_000);

  it('shows an admin the queue and the integrations, signed in and moved about by keyboard alone', async () => {
    const { context, page } = await freshPage();
    await page.goto(`${node().url}/`);
    await expect.poll(() => page.url()).toContain('/sign-in');
    // Keyboard only: Tab to the field, type, Enter; then Tab through the frame to a menu entry.
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.id')).toBe('token');
    await page.keyboard.type(node().node.localAdminKey!);
    await page.keyboard.press('Enter');
    await heading(page, 'Overview');
    let focused = '';
    for (let presses = 0; presses < 30 && focused !== 'Queue'; presses++) {
      await page.keyboard.press('Tab');
      focused = String(await page.evaluate('document.activeElement?.textContent?.trim() ?? ""'));
    }
    expect(focused, 'Tab never reached the Queue entry of the menu').toBe('Queue');
    await page.keyboard.press('Enter');
    await heading(page, 'Queue');
    for (const [link, title, shot] of [
      ['Queue', 'Queue', 'queue'],
      ['Integrations', 'Integrations', 'integrations'],
    ] as const) {
      await page
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: link, exact: true })
        .click();
      await heading(page, title);
      await page.waitForLoadState('networkidle').catch(() => {});
      await record(page, shot);
    }
    await context.close();
  }, 60_000);

  it('fits every page on a phone: nothing wider than the screen, no serious accessibility issue', async () => {
    const { context, page } = await freshPage({ width: 375, height: 812 });
    await signIn(page, node().node.localAdminKey!);
    await heading(page, 'Overview');
    for (const [url, title] of [
      ['/', 'Overview'],
      ['/vms', 'VMs'],
      ['/vms/new', 'Create a VM'],
      ['/executions', 'Executions'],
      ['/tasks', 'Tasks'],
      ['/jobs', 'Jobs'],
      ['/snapshots', 'Snapshots'],
      ['/logs', 'Logs'],
      ['/webhooks', 'Webhooks'],
      ['/keys', 'API keys'],
      ['/integrations', 'Integrations'],
      ['/queue', 'Queue'],
    ] as const) {
      await page.goto(`${node().url}${url}`);
      await heading(page, title);
      await page.waitForLoadState('networkidle').catch(() => {});
      // Wide tables scroll inside their own box; the page itself never scrolls sideways.
      const overflow = await page.evaluate('document.documentElement.scrollWidth - window.innerWidth');
      expect(overflow, `${url} is ${overflow} px wider than a 375 px phone`).toBeLessThanOrEqual(0);
      await record(page, `phone${url === '/' ? '-overview' : url.replaceAll('/', '-')}`);
    }
    await context.close();
  }, 120_000);
});
