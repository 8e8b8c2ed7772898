// Preloaded with `node --import`: appends the URL of every module the process loads (ECMAScript
// modules, and CommonJS packages where an ES module imports them) to MODULE_TRACE_FILE, one a line.
import { register } from 'node:module';

const hooks = `
import { appendFileSync } from 'node:fs';
export async function load(url, context, nextLoad) {
  appendFileSync(process.env.MODULE_TRACE_FILE, url + '\\n');
  return nextLoad(url, context);
}
`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);
