/** The fields of GitHub's webhook payloads the integration reads (see GitHub's webhook docs). */

export interface RepositoryPayload {
  name: string;
  full_name: string;
  owner: { login: string };
  clone_url: string;
  default_branch: string;
}

export interface IssueCommentPayload {
  action: string;
  issue: { number: number; pull_request?: unknown };
  comment: { id: number; body: string; user: { login: string; type?: string } };
  repository: RepositoryPayload;
  installation?: { id: number };
}

export interface PullRequestPayload {
  action: string;
  number: number;
  pull_request: {
    number: number;
    head: { sha: string; ref: string; repo: { clone_url: string } | null };
    base: { ref: string; repo: { clone_url: string } };
  };
  repository: RepositoryPayload;
  installation?: { id: number };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isRepository(value: unknown): value is RepositoryPayload {
  return (
    isObject(value) &&
    typeof value.name === 'string' &&
    typeof value.full_name === 'string' &&
    isObject(value.owner) &&
    typeof value.owner.login === 'string' &&
    typeof value.clone_url === 'string' &&
    typeof value.default_branch === 'string'
  );
}

export function isIssueComment(value: unknown): value is IssueCommentPayload {
  return (
    isObject(value) &&
    typeof value.action === 'string' &&
    isObject(value.issue) &&
    typeof value.issue.number === 'number' &&
    isObject(value.comment) &&
    typeof value.comment.body === 'string' &&
    isObject(value.comment.user) &&
    typeof value.comment.user.login === 'string' &&
    isRepository(value.repository)
  );
}

export function isPullRequest(value: unknown): value is PullRequestPayload {
  if (!isObject(value) || typeof value.action !== 'string' || !isRepository(value.repository)) return false;
  const pr = value.pull_request;
  return (
    isObject(pr) &&
    typeof pr.number === 'number' &&
    isObject(pr.head) &&
    typeof pr.head.sha === 'string' &&
    typeof pr.head.ref === 'string' &&
    isObject(pr.base) &&
    typeof pr.base.ref === 'string' &&
    isObject(pr.base.repo) &&
    typeof pr.base.repo.clone_url === 'string'
  );
}

/** The installation id a payload names, when it came from a GitHub App. */
export function installationOf(payload: { installation?: { id: number } }): number | undefined {
  return typeof payload.installation?.id === 'number' ? payload.installation.id : undefined;
}
