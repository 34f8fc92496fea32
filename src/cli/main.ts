import { COMMANDS } from './commands/index.js';
import type { Command } from './command.js';
import { ExitCode, UserError } from '../errors.js';

const TOP_HELP_HEADER = `skagent — SkeletonAgent skeleton-based action recognition (TypeScript on libtorch)

Usage: skagent <command> [options]     (skagent <command> --help for details)

Commands:`;

function topHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.path.join(' ').length), 10);
  const lines = COMMANDS.map((c) => `  ${c.path.join(' ').padEnd(width)}  ${c.summary}`);
  return `${TOP_HELP_HEADER}\n${lines.join('\n')}\n\nExit codes: 0 ok, 1 failure, 2 usage error, 3 bad input, 4 environment (libtorch, LLM), 130 interrupted (SIGINT), 143 terminated (SIGTERM).\n`;
}

function findCommand(argv: string[]): { command: Command; rest: string[] } | null {
  let best: Command | null = null;
  for (const c of COMMANDS) {
    if (c.path.every((w, i) => argv[i] === w) && (!best || c.path.length > best.path.length)) best = c;
  }
  return best ? { command: best, rest: argv.slice(best.path.length) } : null;
}

export async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    process.stdout.write(topHelp());
    return argv.length === 0 ? ExitCode.usage : ExitCode.ok;
  }
  const found = findCommand(argv);
  if (!found) {
    const group = COMMANDS.filter((c) => c.path[0] === argv[0]);
    if (group.length > 0) {
      process.stderr.write(`skagent ${argv[0]}: expected one of: ${group.map((c) => c.path.slice(1).join(' ')).join(', ')}\n`);
    } else {
      process.stderr.write(`skagent: unknown command '${argv[0]}'. Run 'skagent --help' for the list.\n`);
    }
    return ExitCode.usage;
  }
  const { command, rest } = found;
  // Files are written atomically, so stopping at any point leaves complete checkpoints and results.
  // Writes are synchronous, so a signal is handled between them: a write in flight always finishes.
  // A command that listens for the signal itself (skagent view) stops on its own terms.
  const onSignal = (signal: 'SIGINT' | 'SIGTERM', code: number) => () => {
    if (process.listenerCount(signal) > 0) return;
    process.stderr.write(`\nskagent ${command.path.join(' ')}: ${signal === 'SIGINT' ? 'interrupted' : 'terminated'} (${signal}); files written so far are complete (training continues with --resume)\n`);
    process.exit(code);
  };
  process.once('SIGINT', onSignal('SIGINT', ExitCode.interrupted));
  process.once('SIGTERM', onSignal('SIGTERM', ExitCode.terminated));
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(command.help.endsWith('\n') ? command.help : command.help + '\n');
    return ExitCode.ok;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UserError) {
      process.stderr.write(`skagent ${command.path.join(' ')}: ${err.message}\n`);
      return err.exitCode;
    }
    if (err instanceof TypeError && (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`skagent ${command.path.join(' ')}: ${err.message}\nRun 'skagent ${command.path.join(' ')} --help'.\n`);
      return ExitCode.usage;
    }
    const e = err as Error;
    process.stderr.write(`skagent ${command.path.join(' ')}: ${e.message}\n`);
    if (process.env.SKAGENT_DEBUG) process.stderr.write(`${e.stack}\n`);
    return ExitCode.failure;
  }
}

