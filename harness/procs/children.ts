import type { ChildProcess } from 'node:child_process';

/** Every child process the harness started and that still runs. */
const children = new Set<ChildProcess>();
let hooked = false;

/**
 * Remembers a child so that it dies with the harness's process. (SIGINT and SIGTERM end
 * Node without its 'exit' handlers: the CLI catches them and calls killAll.)
 */
export function track(child: ChildProcess): void {
  children.add(child);
  child.once('exit', () => children.delete(child));
  if (hooked) return;
  hooked = true;
  process.once('exit', killAll);
}

/** SIGKILLs every tracked child (only the harness's own). */
export function killAll(): void {
  for (const child of children) child.kill('SIGKILL');
}
