/**
 * Prints a dev bearer token: `npm run token -- <buyer|merchant|admin> <id> [ttl-seconds]`.
 * Signed with AUTH_JWT_SECRET (the dev secret by default).
 */
import { ConfigError, loadConfig } from '../config';
import { signToken } from '../http/auth';

async function main(): Promise<void> {
  const [role, id, ttl] = process.argv.slice(2);
  if (
    (role !== 'buyer' && role !== 'merchant' && role !== 'admin') ||
    !id ||
    !/^[A-Za-z0-9_-]{1,64}$/.test(id)
  ) {
    process.stderr.write(
      'usage: npm run token -- <buyer|merchant|admin> <id: 1-64 of A-Za-z0-9_-> [ttl-seconds]\n',
    );
    process.exit(2);
  }
  const ttlSeconds = ttl === undefined ? 24 * 3600 : Number(ttl);
  if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) {
    process.stderr.write('ttl-seconds must be a positive whole number\n');
    process.exit(2);
  }
  process.stdout.write(
    `${await signToken(loadConfig().AUTH_JWT_SECRET, { role, sub: id }, ttlSeconds)}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof ConfigError ? error.message : String(error)}\n`);
  process.exit(1);
});
