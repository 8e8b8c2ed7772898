import type { CallRecord } from '../http-json.js';
import { callJson } from '../http-json.js';
import type { GitHubAuth } from './app-auth.js';

/** A repository as webhooks and the API name it. */
export interface RepoRef {
  owner: string;
  repo: string;
}

export interface PullInfo {
  number: number;
  headSha: string;
  headRef: string;
  baseRef: string;
  /** Where the head commit can be fetched: the fork's clone URL, or the base repository's. */
  cloneUrl: string;
}

export type CommitState = 'pending' | 'success' | 'failure' | 'error';

/**
 * The few REST calls the integration makes, over fetch: the base URL is configurable (GitHub
 * Enterprise, or a local server in tests). Every call records its outcome for health.
 */
export class GitHubClient {
  constructor(
    private readonly apiUrl: string,
    private readonly auth: GitHubAuth,
    private readonly calls: CallRecord,
  ) {}

  /** The token of this installation (for git over HTTPS, from the host only). */
  token(installationId?: number): Promise<string> {
    return this.auth.token(installationId);
  }

  private async call<T>(
    method: string,
    path: string,
    installationId: number | undefined,
    body?: unknown,
  ): Promise<T> {
    const what = `${method} ${path.replace(/\/[^/]*$/, '/…')}`;
    try {
      const answer = await callJson<T>('github', `${this.apiUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${await this.auth.token(installationId)}`,
          'x-github-api-version': '2022-11-28',
          'user-agent': 'aetherium',
        },
        ...(body === undefined ? {} : { body }),
      });
      this.calls.succeeded(what);
      return answer;
    } catch (error) {
      this.calls.failed(what, error);
      throw error;
    }
  }

  /** Whether `user` may push to the repository: write, maintain or admin. */
  async canWrite(ref: RepoRef, user: string, installationId?: number): Promise<boolean> {
    const answer = await this.call<{ permission?: string; role_name?: string }>(
      'GET',
      `/repos/${enc(ref.owner)}/${enc(ref.repo)}/collaborators/${enc(user)}/permission`,
      installationId,
    );
    const granted = ['admin', 'maintain', 'write'];
    return granted.includes(answer.permission ?? '') || granted.includes(answer.role_name ?? '');
  }

  async pull(ref: RepoRef, number: number, installationId?: number): Promise<PullInfo> {
    const answer = await this.call<{
      number: number;
      head: { sha: string; ref: string; repo: { clone_url: string } | null };
      base: { ref: string; repo: { clone_url: string } };
    }>('GET', `/repos/${enc(ref.owner)}/${enc(ref.repo)}/pulls/${number}`, installationId);
    return {
      number: answer.number,
      headSha: answer.head.sha,
      headRef: answer.head.ref,
      baseRef: answer.base.ref,
      // A deleted fork leaves no head repository; the base has the PR's commits under refs/pull.
      cloneUrl: answer.head.repo?.clone_url ?? answer.base.repo.clone_url,
    };
  }

  async comment(ref: RepoRef, issue: number, body: string, installationId?: number): Promise<void> {
    await this.call(
      'POST',
      `/repos/${enc(ref.owner)}/${enc(ref.repo)}/issues/${issue}/comments`,
      installationId,
      {
        body,
      },
    );
  }

  async status(
    ref: RepoRef,
    sha: string,
    status: { state: CommitState; description: string; context: string },
    installationId?: number,
  ): Promise<void> {
    await this.call(
      'POST',
      `/repos/${enc(ref.owner)}/${enc(ref.repo)}/statuses/${enc(sha)}`,
      installationId,
      {
        ...status,
        // GitHub keeps at most 140 characters.
        description: status.description.slice(0, 140),
      },
    );
  }

  async createPull(
    ref: RepoRef,
    pull: { title: string; head: string; base: string; body: string },
    installationId?: number,
  ): Promise<{ number: number; html_url: string }> {
    return this.call('POST', `/repos/${enc(ref.owner)}/${enc(ref.repo)}/pulls`, installationId, pull);
  }
}

const enc = encodeURIComponent;
