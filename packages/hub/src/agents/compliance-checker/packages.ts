/**
 * The licenses of a project and its dependencies: the project's package.json, the `packages`
 * entries of package-lock.json (lockfileVersion 2 and 3 carry `license`), or, without a usable
 * lockfile, the package.json of every installed package under node_modules.
 */
import { readdir, readFile, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProjectFile } from '../security-scanner/project-files.js';
import { isInside } from '../security-scanner/workspace.js';

/** One package and its declared license. */
export interface PackageLicense {
  name: string;
  version?: string;
  /** The declared license expression; undefined when none is declared. */
  license?: string;
  /** Where it was read (`package-lock.json`, `node_modules/x/package.json`). */
  file: string;
  dev: boolean;
}

/** The project and its dependencies. */
export interface ProjectPackages {
  project?: PackageLicense & { private: boolean };
  dependencies: PackageLicense[];
  warnings: string[];
}

/** Most installed packages read from node_modules. */
const maxInstalled = 20_000;

/**
 * Reads the root package.json and package-lock.json among `files`; falls back to node_modules
 * under `directory` (a real path) when the lockfile is missing or has no `packages`.
 */
export async function readProjectPackages(
  files: readonly ProjectFile[],
  directory: { real: string; realRoots: readonly string[] } | undefined,
): Promise<ProjectPackages> {
  const warnings: string[] = [];
  const manifest = await readJson(
    files.find((f) => f.path === 'package.json'),
    warnings,
  );
  const lock = await readJson(
    files.find((f) => f.path === 'package-lock.json'),
    warnings,
  );
  const project = isObject(manifest)
    ? {
        name: typeof manifest.name === 'string' ? manifest.name : '(project)',
        version: typeof manifest.version === 'string' ? manifest.version : undefined,
        license: declaredLicense(manifest),
        file: 'package.json',
        dev: false,
        private: manifest.private === true,
      }
    : undefined;
  if (isObject(lock) && isObject(lock.packages)) {
    return { project, dependencies: fromLockfile(lock.packages), warnings };
  }
  if (isObject(lock)) {
    warnings.push(
      `package-lock.json (lockfileVersion ${String(lock.lockfileVersion)}) lists no licenses: ` +
        'upgrade it with `npm install --lockfile-version 3`.',
    );
  }
  const dependencies = directory ? await fromNodeModules(directory, warnings) : [];
  return { project, dependencies, warnings };
}

/** The license a package.json (or lockfile entry) declares, as one expression. */
export function declaredLicense(pkg: Record<string, unknown>): string | undefined {
  const one = (value: unknown): string | undefined =>
    typeof value === 'string'
      ? value
      : isObject(value) && typeof value.type === 'string'
        ? value.type
        : undefined;
  const license = one(pkg.license);
  if (license !== undefined) return license.trim() || undefined;
  // The deprecated `licenses: [{ type }]` array meant a choice between them.
  if (Array.isArray(pkg.licenses)) {
    const ids = pkg.licenses.map(one).filter((id): id is string => !!id);
    if (ids.length > 0) return ids.length === 1 ? ids[0] : `(${ids.join(' OR ')})`;
  }
  return undefined;
}

function fromLockfile(packages: Record<string, unknown>): PackageLicense[] {
  const out: PackageLicense[] = [];
  for (const [key, entry] of Object.entries(packages)) {
    // "" is the project; keys without node_modules/ are its own workspace packages.
    if (!isObject(entry) || entry.link === true || !key.includes('node_modules/')) continue;
    out.push({
      name:
        typeof entry.name === 'string'
          ? entry.name
          : key.slice(key.lastIndexOf('node_modules/') + 13),
      version: typeof entry.version === 'string' ? entry.version : undefined,
      license: declaredLicense(entry),
      file: 'package-lock.json',
      dev: entry.dev === true,
    });
  }
  return out;
}

async function fromNodeModules(
  dir: { real: string; realRoots: readonly string[] },
  warnings: string[],
): Promise<PackageLicense[]> {
  const out: PackageLicense[] = [];
  const pending = ['node_modules'];
  while (pending.length > 0 && out.length < maxInstalled) {
    const modules = pending.pop()!;
    for (const pkgDir of await packageDirs(dir.real, modules)) {
      const absolute = join(dir.real, pkgDir);
      const real = await realpath(absolute).catch(() => null);
      if (real === null || !dir.realRoots.some((root) => isInside(root, real))) continue;
      const pkg = await readFile(join(real, 'package.json'), 'utf8')
        .then((text) => JSON.parse(text) as unknown)
        .catch(() => null);
      if (!isObject(pkg)) continue;
      out.push({
        name:
          typeof pkg.name === 'string'
            ? pkg.name
            : pkgDir.slice(pkgDir.lastIndexOf('node_modules/') + 13),
        version: typeof pkg.version === 'string' ? pkg.version : undefined,
        license: declaredLicense(pkg),
        file: `${pkgDir}/package.json`,
        dev: false,
      });
      // A linked package (workspaces, pnpm) is not entered: its dependencies live elsewhere.
      if (real === absolute) pending.push(`${pkgDir}/node_modules`);
    }
  }
  if (out.length >= maxInstalled)
    warnings.push(`Read the first ${maxInstalled} installed packages only.`);
  return out;
}

/** `node_modules/a`, `node_modules/@s/b` ... (relative to `root`); none when it does not exist. */
async function packageDirs(root: string, modules: string): Promise<string[]> {
  const names = await readdir(join(root, modules)).catch(() => [] as string[]);
  const out: string[] = [];
  for (const name of names.sort()) {
    if (name.startsWith('.')) continue;
    if (!name.startsWith('@')) {
      out.push(`${modules}/${name}`);
      continue;
    }
    const scoped = await readdir(join(root, modules, name)).catch(() => [] as string[]);
    for (const inner of scoped.sort()) out.push(`${modules}/${name}/${inner}`);
  }
  return out;
}

async function readJson(file: ProjectFile | undefined, warnings: string[]): Promise<unknown> {
  if (!file) return undefined;
  try {
    return JSON.parse((await file.read()).toString('utf8')) as unknown;
  } catch (err) {
    warnings.push(`${file.path} cannot be read as JSON: ${(err as Error).message}`);
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
