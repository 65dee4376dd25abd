// The kernel: what every module receives. Built once per app from the config and database.
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.ts';
import type { Database, Db, Engine } from '../db/index.ts';
import { AuditLog } from './audit.ts';
import { Authz } from './authz.ts';
import { assertAlgoAvailable, setPasswordHashCost, type ChainAlgo } from './crypto.ts';
import { JobRunner } from './jobs.ts';
import { systemClock, type Clock } from './time.ts';
import type { ReportProvider } from './reports.ts';

export interface Kernel {
  config: Readonly<Config>;
  database: Database;
  db: Db;
  engine: Engine;
  clock: Clock;
  audit: AuditLog;
  authz: Authz;
  jobs: JobRunner;
  /** Filled by app.ts from the modules: the sections of generated reports. */
  reportProviders: ReportProvider[];
}

export function createKernel(config: Readonly<Config>, database: Database, log: FastifyBaseLogger, clock: Clock = systemClock): Kernel {
  const algo: ChainAlgo = config.crypto === 'sm' ? 'sm3' : 'sha256';
  assertAlgoAvailable(algo);
  setPasswordHashCost(config.passwordHashCost);
  const audit = new AuditLog(database.db, database.engine, algo, clock);
  return {
    config,
    database,
    db: database.db,
    engine: database.engine,
    clock,
    audit,
    authz: new Authz(database.db, audit),
    jobs: new JobRunner(database.db, database.engine, clock, log),
    reportProviders: [],
  };
}

export type { Actor } from './authz.ts';
export { AppError } from './errors.ts';
