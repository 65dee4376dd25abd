// Every feature module, in mounting order. A new module adds one line here.
import type { Module } from '../kernel/module.ts';
import { authRoutes } from './auth/auth.routes.ts';
import { auditRoutes } from './audit/audit.routes.ts';
import { healthRoutes } from './health/health.routes.ts';
import { jobsRoutes } from './jobs/jobs.routes.ts';
import { registerHousekeeping } from './jobs/jobs.service.ts';
import { orgsRoutes } from './orgs/orgs.routes.ts';
import { securityRoutes } from './security/security.routes.ts';
import { usersRoutes } from './users/users.routes.ts';
import { outreachRoutes } from './outreach/outreach.routes.ts';
import { seedIndicators } from './outreach/outreach.service.ts';
import { outreachReportProvider } from './outreach/outreach.report.ts';
import { reportsRoutes } from './reports/reports.routes.ts';
import { registerReportJobs } from './reports/reports.service.ts';
import { publishingRoutes, registerPublishingJobs } from './publishing/publishing.routes.ts';
import { publishingReportProvider } from './publishing/publishing.report.ts';
import { outreachExcelRoutes, registerImportJobs } from './outreach/outreach.imports.routes.ts';
import { opinionRoutes, registerOpinionJobs } from './opinion/opinion.routes.ts';
import { opinionReportProvider } from './opinion/opinion.brief.ts';
import { seedKeywordGroups } from './opinion/opinion.config.ts';

export const modules: Module[] = [
  { name: 'health', routes: healthRoutes },
  { name: 'auth', routes: authRoutes },
  { name: 'orgs', routes: orgsRoutes },
  { name: 'users', routes: usersRoutes },
  { name: 'security', routes: securityRoutes },
  { name: 'audit', routes: auditRoutes },
  { name: 'jobs', routes: jobsRoutes, jobs: registerHousekeeping },
  { name: 'outreach', routes: outreachRoutes, catalogue: seedIndicators, reportProviders: [outreachReportProvider] },
  { name: 'outreach-excel', routes: outreachExcelRoutes, jobs: registerImportJobs },
  { name: 'reports', routes: reportsRoutes, jobs: registerReportJobs },
  { name: 'publishing', routes: publishingRoutes, jobs: registerPublishingJobs, reportProviders: [publishingReportProvider] },
  { name: 'opinion', routes: opinionRoutes, jobs: registerOpinionJobs, catalogue: seedKeywordGroups, reportProviders: [opinionReportProvider] },
];
