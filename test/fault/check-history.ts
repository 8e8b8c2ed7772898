/**
 * Re-runs the checker on a kept history file and prints the summary; exits 1 when it is invalid.
 *   node --import tsx test/fault/check-history.ts /tmp/aether-fault-XXXX/history.jsonl [--json]
 */
import { checkHistory, formatSummary } from './checker.js';
import { readHistory } from './history.js';

const [file, flag] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: check-history.ts HISTORY.jsonl [--json]\n');
  process.exit(2);
}
const report = checkHistory(readHistory(file));
process.stdout.write(
  flag === '--json' ? `${JSON.stringify(report, null, 2)}\n` : `${formatSummary(report, file)}\n`,
);
process.exitCode = report.valid ? 0 : 1;
