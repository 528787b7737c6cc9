/**
 * What every command's action gets: the resolved settings and a client of the hub. Actions
 * answer their exit code (0 when they answer nothing); errors reach `main.ts`, which prints them
 * and exits 1.
 */
import { HubClient } from '@commandcenter/protocol/client';
import { InvalidArgumentError, type Command } from 'commander';
import { resolveCliConfig, type CliConfig, type GlobalFlags } from './cli-config.js';

/** Exit codes of the CLI. */
export const exitCodes = {
  ok: 0,
  /** A command failed (the error is printed). */
  error: 1,
  /** A run (or an agent test) ended, but not successfully. */
  runFailed: 2,
} as const;

export interface Context {
  config: Readonly<CliConfig>;
  client: HubClient;
  json: boolean;
}

/** The settings and client of a command, from its flags and those of its parents. */
export function contextOf(cmd: Command): Context {
  const config = resolveCliConfig(cmd.optsWithGlobals<GlobalFlags>());
  const client = new HubClient({ url: config.url, token: config.token, project: config.project });
  return { config, client, json: config.json };
}

/**
 * Wraps an action: `fn` gets the context, the positional arguments and the options (its own and
 * its parents'); its answer becomes the exit code.
 */
export function action<O extends object = Record<string, unknown>>(
  fn: (ctx: Context, args: string[], opts: O) => Promise<number | void>,
): (...commanderArgs: unknown[]) => Promise<void> {
  return async (...commanderArgs) => {
    const cmd = commanderArgs[commanderArgs.length - 1] as Command;
    // With its parents' flags: a subcommand option that shares a global flag's name (`tokens
    // create --project`) is parsed as the global one.
    const code = await fn(contextOf(cmd), cmd.args, cmd.optsWithGlobals<O>());
    process.exitCode = code ?? exitCodes.ok;
  };
}

/** Parses a positive whole number option (`--limit 20`). */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new InvalidArgumentError('Use a whole number of at least 1.');
  }
  return n;
}

/** Parses an option restricted to a few values. */
export function oneOf<T extends string>(allowed: readonly T[]): (value: string) => T {
  return (value) => {
    if ((allowed as readonly string[]).includes(value)) return value as T;
    throw new InvalidArgumentError(`Use one of: ${allowed.join(', ')}.`);
  };
}
