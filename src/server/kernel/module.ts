// What a feature module provides: its routes (mounted under /api) and, optionally, its jobs.
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { Kernel } from './index.ts';
import type { ReportProvider } from './reports.ts';

export interface Module {
  name: string;
  routes: FastifyPluginAsync;
  /** Register job handlers and schedules with kernel.jobs. */
  jobs?: (kernel: Kernel) => void;
  /** Seed built-in catalogues at start; must be idempotent (runs on every start, on every instance). */
  catalogue?: (kernel: Kernel) => Promise<void>;
  /** Sections this module contributes to generated reports (the stage summary). */
  reportProviders?: ReportProvider[];
}

export const errorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});

/** Route-level validation for ids in paths: short, printable, no path tricks. */
export const idParam = z.object({ id: z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, { message: '无效的编号' }) });
