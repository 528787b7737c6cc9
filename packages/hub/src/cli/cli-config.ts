/**
 * The CLI's settings: flags win over the environment, the environment over the defaults. This is
 * the only file of the CLI that reads the environment.
 */

/** Where the CLI finds the hub when neither `--url` nor `CC_URL` says otherwise. */
export const defaultHubUrl = 'http://127.0.0.1:9002';

/** The global flags every command takes. */
export interface GlobalFlags {
  url?: string;
  token?: string;
  project?: string;
  json?: boolean;
}

export interface CliConfig {
  /** Base URL of the hub (`--url`, `CC_URL`). */
  url: string;
  /** API token (`--token`, `CC_TOKEN`). */
  token: string | undefined;
  /** Project of project-scoped commands (`--project`, `CC_PROJECT`); the token's when unset. */
  project: string | undefined;
  /** Print the raw API answers as JSON (`--json`). */
  json: boolean;
}

/** Resolves the CLI's settings once; the result is frozen. */
export function resolveCliConfig(
  flags: GlobalFlags,
  env: NodeJS.ProcessEnv = process.env,
): Readonly<CliConfig> {
  return Object.freeze({
    url: (flags.url || env.CC_URL || defaultHubUrl).replace(/\/+$/, ''),
    token: flags.token || env.CC_TOKEN || undefined,
    project: flags.project || env.CC_PROJECT || undefined,
    json: flags.json === true,
  });
}
