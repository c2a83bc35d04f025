import { buildAdmin } from '../../src/cli/build-admin';
import integrationSetup from './global-setup';

/**
 * The browser tests' set-up: the database migrated like the integration tests', and the
 * back office built from its current source (esbuild takes well under a second), so a
 * fresh clone or an edited page is tested as it is now.
 */
export default async function browserSetup(): Promise<void> {
  await integrationSetup();
  await buildAdmin();
}
