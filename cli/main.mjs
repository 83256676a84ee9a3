// The command line: a table of commands, each with its table of flags (see commands/). Exit
// status: 0 on success, 1 when the input or options are rejected (the error's code, row and
// field go to stderr), 2 on a usage error.
import { helpLines, parse, UsageError } from './args.mjs';
import { clearProgress, FileError } from './io.mjs';
import score from './commands/score.mjs';
import history from './commands/history.mjs';
import summary from './commands/summary.mjs';
import fit from './commands/fit.mjs';
import backtest from './commands/backtest.mjs';

const COMMANDS = [score, history, backtest, summary, fit];
const NAME = 'rapportjs';

function usage(command) {
  if (command) {
    return [`Usage: ${NAME} ${command.synopsis}`, '', command.description, '', 'Options:', ...helpLines(command.flags)].join('\n');
  }
  return [
    `Usage: ${NAME} COMMAND ...`,
    '',
    ...COMMANDS.map((c) => `  ${NAME} ${c.synopsis}`),
    '',
    `${NAME} COMMAND --help describes a command and its options.`,
    '',
    'Exit status: 0 on success, 1 when the input or options are rejected (the error\'s code, row',
    'and field go to stderr), 2 on a usage error.',
  ].join('\n');
}

function isRapportError(e) {
  return e instanceof Error && e.name === 'RapportError' && typeof e.code === 'string';
}

/** A core error about a value a flag gave (a business model, a period…) is a usage error. */
function flagOf(command, e, values) {
  return Object.entries(command.flags).find(([name, f]) => f.usage && f.key === e.field && values[name] !== undefined)?.[0];
}

/** Writes `lines` (an array, or a generator making them one at a time) to `stream`, about a
 * mebibyte at a time, waiting whenever the stream asks to (a slow pipe, a terminal). */
async function writeLines(stream, lines) {
  let buf = [];
  let size = 0;
  const flush = async () => {
    if (!buf.length) return;
    const ok = stream.write(buf.join('\n') + '\n');
    buf = [];
    size = 0;
    if (!ok) await new Promise((resolve) => stream.once('drain', resolve));
  };
  for (const line of lines) {
    buf.push(line);
    size += line.length;
    if (size >= 1 << 20) await flush();
  }
  await flush();
}

function exit(status, err) {
  clearProgress();
  if (err) process.stderr.write(err.endsWith('\n') ? err : err + '\n');
  process.exitCode = status;
}

export async function main(argv) {
  // A closed pipe (`rapportjs … | head`) is the reader's choice, not an error.
  process.stdout.on('error', (e) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  const [name, ...rest] = argv;
  if (!name || name === '-h' || name === '--help') return exit(name ? 0 : 2, usage());
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) return exit(2, `${NAME}: unknown command "${name}"\n\n${usage()}`);
  let values = {};
  try {
    const parsed = parse(command.flags, rest);
    values = parsed.values;
    if (values.help) return exit(0, usage(command));
    const { out, err } = await command.run(parsed);
    await writeLines(process.stdout, out);
    clearProgress();
    if (err.length) process.stderr.write(err.join('\n') + '\n');
  } catch (e) {
    if (e instanceof UsageError) return exit(2, `${NAME}: ${e.message}\n(${NAME} ${command.name} --help lists the options)`);
    if (e instanceof FileError) return exit(1, `${NAME}: ${e.message}`);
    if (!isRapportError(e)) throw e;
    const flag = flagOf(command, e, values);
    if (flag) return exit(2, `${NAME}: --${flag}: ${e.message}\n(${NAME} ${command.name} --help lists the options)`);
    const where = [e.row !== undefined ? `row ${e.row}` : null, e.field !== undefined ? `field ${e.field}` : null].filter(Boolean).join(', ');
    return exit(1, `${NAME}: ${e.code}${where ? ` at ${where}` : ''}\n  ${e.message}`);
  }
}
