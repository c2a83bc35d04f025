import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * The project's root folder (the one with package.json), found from this file's place:
 * the same answer from `src/` under tsx and from `dist/src/` when built.
 */
export function projectRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}
