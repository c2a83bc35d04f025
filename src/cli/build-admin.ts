/**
 * Builds the back office into dist/admin/: one JavaScript bundle and one stylesheet, named
 * by their content hash (served with a year's cache), and index.html pointing at them
 * (always revalidated). Everything the page needs is in that folder: no CDN.
 *   npm run build:admin            (npm run build runs it too)
 * The page's source is admin/ (Preact, bundled by esbuild).
 */
import { build } from 'esbuild';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../project-root';

const root = projectRoot();
const source = path.join(root, 'admin');
export const ADMIN_OUT = path.join(root, 'dist/admin');

export async function buildAdmin(): Promise<void> {
  rmSync(ADMIN_OUT, { recursive: true, force: true });
  mkdirSync(ADMIN_OUT, { recursive: true });
  const result = await build({
    entryPoints: [path.join(source, 'src/main.tsx'), path.join(source, 'src/styles.css')],
    bundle: true,
    minify: true,
    sourcemap: true,
    format: 'esm',
    target: ['chrome110', 'firefox110', 'safari16'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    entryNames: '[name]-[hash]',
    outdir: path.join(ADMIN_OUT, 'assets'),
    metafile: true,
    logLevel: 'warning',
  });
  const outputs = Object.entries(result.metafile.outputs);
  const named = (ext: string) => {
    const found = outputs.find(([file, meta]) => meta.entryPoint && file.endsWith(ext));
    if (!found) throw new Error(`no ${ext} output`);
    return `assets/${path.basename(found[0])}`;
  };
  const html = readFileSync(path.join(source, 'index.html'), 'utf8')
    .replace('%SCRIPT%', named('.js'))
    .replace('%STYLE%', named('.css'));
  writeFileSync(path.join(ADMIN_OUT, 'index.html'), html);
}

if (require.main === module) {
  buildAdmin().then(
    () => process.stdout.write('dist/admin: the back office is built\n'),
    (error: unknown) => {
      process.stderr.write(`${String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
