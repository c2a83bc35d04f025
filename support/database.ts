import { randomBytes } from 'node:crypto';
import path from 'node:path';
import knex from 'knex';
import knexConfig from '../knexfile';

/** Applies the project's migrations to `url` (knexfile.ts settings; idempotent). */
export async function migrateDatabase(url: string): Promise<void> {
  const db = knex({
    ...knexConfig,
    connection: url,
    migrations: { ...knexConfig.migrations, directory: path.resolve(__dirname, '../migrations') },
  });
  try {
    await db.migrate.latest();
  } finally {
    await db.destroy();
  }
}

/** A database made for one run; `drop` removes it (connections still open included). */
export interface ScratchDatabase {
  name: string;
  url: string;
  drop: () => Promise<void>;
}

/**
 * Creates a migrated database of its own on the server of `baseUrl`, named
 * `<base database>_<label>_<random>`. For processes that run the payment-expiry
 * sweeper: it expires every overdue order of its database, so on a shared one it would
 * act on other test files' orders.
 * @throws the server's error when the role may not create databases.
 */
export async function createScratchDatabase(
  baseUrl: string,
  label: string,
): Promise<ScratchDatabase> {
  const base = new URL(baseUrl);
  const baseName = decodeURIComponent(base.pathname.slice(1)) || 'postgres';
  // PostgreSQL keeps 63 bytes of a name: shorten the prefix, never the random part.
  const prefix = `${baseName}_${label}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const name = `${prefix.slice(0, 54)}_${randomBytes(4).toString('hex')}`;
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  const admin = knex({ client: 'pg', connection: baseUrl, pool: { min: 0, max: 1 } });
  try {
    await admin.raw('create database ??', [name]);
  } finally {
    await admin.destroy();
  }
  const drop = async (): Promise<void> => {
    const db = knex({ client: 'pg', connection: baseUrl, pool: { min: 0, max: 1 } });
    try {
      // FORCE (PostgreSQL 13+): a process killed mid-run may leave a connection behind.
      await db.raw('drop database if exists ?? with (force)', [name]);
    } finally {
      await db.destroy();
    }
  };
  try {
    await migrateDatabase(url.toString());
  } catch (error) {
    await drop().catch(() => undefined);
    throw error;
  }
  return { name, url: url.toString(), drop };
}
