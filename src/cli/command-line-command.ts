import { Command, type ParseOptionsResult } from 'commander';

/**
 * A command whose last argument is another program's command line, as in
 * `aether exec <vm> [options] [--] <command...>`. Our options are read before, between and after
 * the arguments that come first (the VM), up to `--` or the command's first word; from there on
 * every word is the command's, untouched, even one that looks like one of our options.
 *
 * Commander's own `passThroughOptions` stops reading options at the first argument of any kind,
 * so `aether exec dev -t 3000 -- cmd` ran `-t`; this reads on past the leading arguments.
 */
class CommandLineCommand extends Command {
  override parseOptions(argv: string[]): ParseOptionsResult {
    const separator = argv.indexOf('--');
    const head = separator === -1 ? argv : argv.slice(0, separator);
    const literal = separator === -1 ? [] : argv.slice(separator + 1);
    // Every declared argument but the last (the command line) comes before the command.
    const leadingCount = this.registeredArguments.length - 1;
    const leading: string[] = [];
    let rest = head;
    for (;;) {
      // With options passed through, commander reads options up to the first operand and stops.
      const { operands, unknown } = super.parseOptions(rest);
      // An unknown option (or --help) is commander's to report, as for any other command.
      if (unknown.length > 0) return { operands: [...leading, ...operands], unknown };
      // No command word before `--`: the words after it are the rest of the arguments.
      if (operands.length === 0) return { operands: [...leading, ...literal], unknown: [] };
      if (leading.length === leadingCount) {
        // The command started before `--`, so that `--` and what follows are its own words.
        const after = separator === -1 ? [] : ['--', ...literal];
        return { operands: [...leading, ...operands, ...after], unknown: [] };
      }
      leading.push(operands[0]!);
      rest = operands.slice(1);
    }
  }
}

/** `parent.command(nameAndArgs)`, for a command whose last argument is a command line to run. */
export function addCommandLineCommand(parent: Command, nameAndArgs: string): Command {
  const [name = '', args = ''] = nameAndArgs.split(/ +(.*)/);
  const command = new CommandLineCommand(name).arguments(args);
  parent.addCommand(command);
  return command.copyInheritedSettings(parent).passThroughOptions();
}
