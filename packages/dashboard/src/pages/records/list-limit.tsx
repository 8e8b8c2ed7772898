/** How many rows a list asks for: the newest ones; filters narrow to older records. */
export const LIST_LIMIT = 100;

/** Says so when a list shows only its newest rows, so a missing old record is not a mystery. */
export function ListLimitNote({ shown }: { shown: number }) {
  if (shown < LIST_LIMIT) return null;
  return <p class="muted">Showing the newest {LIST_LIMIT}; narrow the filters to find older ones.</p>;
}
