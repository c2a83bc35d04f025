import { migrateDatabase } from '../../support/database';
import { serviceUrls } from '../../support/urls';

/** Brings the test database up to the latest migration once per jest run. */
export default async function globalSetup(): Promise<void> {
  try {
    await migrateDatabase(process.env.DATABASE_URL || serviceUrls().testDatabaseUrl);
  } catch (error) {
    throw new Error(
      `cannot migrate the test database (${String(error)}); are the servers up? run: bash scripts/services.sh up`,
    );
  }
}
