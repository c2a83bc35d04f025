import knex from 'knex';
import knexConfig from '../../knexfile';

/** Brings the test database up to the latest migration once per jest run. */
export default async function globalSetup(): Promise<void> {
  const db = knex({ ...knexConfig, connection: process.env.DATABASE_URL });
  try {
    await db.migrate.latest();
  } catch (error) {
    throw new Error(
      `cannot migrate the test database (${String(error)}); are the servers up? run: bash scripts/services.sh up`,
    );
  } finally {
    await db.destroy();
  }
}
