import { execFileSync } from 'node:child_process';
import puppeteer, { type Browser } from 'puppeteer-core';

/**
 * Debian's `chromium` (scripts/lib.sh `ensure_chromium` installs it): `CHROMIUM_PATH` if
 * set, else the one on PATH. Puppeteer never downloads a browser here.
 * @throws Error naming what to install when there is none.
 */
export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CHROMIUM_PATH) return env.CHROMIUM_PATH;
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      return execFileSync('which', [name], { encoding: 'utf8' }).trim();
    } catch {
      // not this name
    }
  }
  throw new Error(
    "no Chromium: install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH",
  );
}

/** Headless Chromium; `--no-sandbox` because containers and root have no user namespaces. */
export function launchChromium(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ['--no-sandbox', '--headless=new', '--disable-dev-shm-usage', '--disable-gpu'],
  });
}
