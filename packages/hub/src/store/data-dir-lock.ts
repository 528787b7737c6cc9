import { mkdirSync, openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { CCError } from '@commandcenter/protocol';

/** Lock files this process holds (a second open in the same process is refused too). */
const heldHere = new Set<string>();

/**
 * Makes sure one process at a time opens an embedded data directory: PGlite is a single-process
 * database, and two writers on one directory would corrupt it. The lock is a pid file created with
 * O_EXCL; a lock left by a process that no longer exists is taken over.
 */
export function lockDataDir(dir: string): () => void {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'commandcenter.lock');
  if (heldHere.has(file)) throw locked(dir, process.pid);
  for (let tries = 0; tries < 3; tries++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      heldHere.add(file);
      return () => {
        heldHere.delete(file);
        rmSync(file, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number.parseInt(readFileSafe(file), 10);
      // Our own pid without our own lock is a previous process that had the same pid (a container
      // restarted as pid 1, say): stale like any lock whose process is gone.
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)) {
        throw locked(dir, holder);
      }
      rmSync(file, { force: true });
    }
  }
  throw new Error(`could not take the lock ${file}`);
}

function readFileSafe(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function locked(dir: string, holder: number): CCError {
  return new CCError('CC_E_STORE_LOCKED', {
    detail:
      `The data directory ${dir} is in use by process ${holder}. ` +
      'Stop that process, or point CC_DATA_DIR at another directory, or use DATABASE_URL ' +
      'to share one PostgreSQL between several processes.',
  });
}
