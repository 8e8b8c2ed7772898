// The values of a string union of the API's types, as a list the page can show (a filter's
// options). The types exist only at compile time and the server's own lists cannot be bundled,
// so the values are written here once more; keying them by the union makes a value the API
// added (missing here) or dropped (unknown here) a type error rather than a silent gap.

/** Every member of the union `T`, in the order written. */
export function everyValue<T extends string>(members: Record<T, true>): readonly T[] {
  return Object.keys(members) as T[];
}
