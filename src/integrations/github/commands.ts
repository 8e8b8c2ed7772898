/**
 * What a comment asks for. A command is the comment's first line that starts with `/aether`:
 * `/aether run <command>` runs the command and replies with its result; `/aether pr <command>`
 * runs it and opens a pull request with the changes it made.
 */
export type CommentCommand = { kind: 'run' | 'pr'; command: string };

/** Longest command a comment may carry (it is shown back in the reply). */
export const MAX_COMMAND_LENGTH = 2_000;

export function parseCommentCommand(body: string): CommentCommand | null {
  for (const raw of body.split(/\r?\n/)) {
    const line = raw.trim();
    const match = /^\/aether\s+(run|pr)\s+(.+)$/.exec(line);
    if (match) {
      const command = match[2]!.trim();
      if (command.length === 0 || command.length > MAX_COMMAND_LENGTH) return null;
      return { kind: match[1] as 'run' | 'pr', command };
    }
  }
  return null;
}

/** A fenced block that no backtick run in `text` can close early. */
export function fenced(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}\n${text}\n${fence}`;
}
