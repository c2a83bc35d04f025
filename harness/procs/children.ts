import type { ChildProcess } from 'node:child_process';

/** Every child process the harness started and that still runs. */
const children = new Set<ChildProcess>();
/** What to clean up after the children are killed (a private cluster's directory). */
const cleanups = new Set<() => void>();
let hooked = false;

function hook(): void {
  if (hooked) return;
  hooked = true;
  process.once('exit', killAll);
}

/**
 * Remembers a child so that it dies with the harness's process. (SIGINT and SIGTERM end
 * Node without its 'exit' handlers: the CLI catches them and calls killAll.)
 */
export function track(child: ChildProcess): void {
  children.add(child);
  child.once('exit', () => children.delete(child));
  hook();
}

/**
 * Runs `cleanup` (synchronous) in killAll, after the children are killed, unless the
 * returned function is called first (the harness cleaned up by itself).
 */
export function atKillAll(cleanup: () => void): () => void {
  cleanups.add(cleanup);
  hook();
  return () => cleanups.delete(cleanup);
}

/** SIGKILLs every tracked child (only the harness's own), then runs the clean-ups. */
export function killAll(): void {
  for (const child of children) child.kill('SIGKILL');
  for (const cleanup of cleanups) {
    try {
      cleanup();
    } catch {
      // best effort: the process is ending
    }
  }
  cleanups.clear();
}
