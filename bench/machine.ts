import os from 'node:os';
import type { RedisClient } from '@order-coordinator/lock';
import type { Db } from '../src/db/knex';

export interface Machine {
  cores: number;
  cpu: string;
  memoryGiB: number;
  os: string;
  node: string;
  postgres: string;
  redis: string;
  /** 1-minute load average at the start: other work on the machine shows here. */
  loadAverage: number;
}

/** The machine and server versions the figures were measured on. */
export async function describeMachine(db: Db, redis: RedisClient): Promise<Machine> {
  const pg = await db.raw<{ rows: { server_version: string }[] }>('show server_version');
  const info = await redis.info('server');
  return {
    cores: os.cpus().length,
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    postgres: pg.rows[0]?.server_version ?? 'unknown',
    redis: /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown',
    loadAverage: Math.round((os.loadavg()[0] ?? 0) * 100) / 100,
  };
}
