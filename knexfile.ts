import type { Knex } from 'knex';
import { DEFAULT_DATABASE_URL } from './src/config';

/** Knex CLI settings: `npm run migrate` applies migrations/ to DATABASE_URL. */
const config: Knex.Config = {
  client: 'pg',
  connection: process.env.DATABASE_URL || DEFAULT_DATABASE_URL,
  migrations: {
    directory: './migrations',
    extension: 'ts',
    loadExtensions: ['.ts', '.js'],
    tableName: 'knex_migrations',
  },
};

export default config;
