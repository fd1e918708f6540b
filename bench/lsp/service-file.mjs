/**
 * A large, realistic service file for the typing benchmark: the services of one "catalogue" module
 * in a package of the generated corpus. They read and write through the package's own ioredis
 * client (`../cache`) and its Prisma client (`../db/client`), and are mostly ordinary code:
 * validation, mapping, aggregation, formatting. Cache calls are spread through the file; most are
 * correct (jittered TTLs, deletes after writes, SCAN), some are the anti-patterns the rules report,
 * so every keystroke re-analyses a file that really has findings.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const entities = [
  'report', 'metric', 'dashboard', 'segment', 'funnel', 'cohort', 'export-job', 'alert',
  'goal', 'widget', 'data-source', 'schedule', 'annotation', 'threshold', 'subscription', 'snapshot',
];

const pascal = (name) => name.replace(/(^|-)([a-z0-9])/g, (_, __, letter) => letter.toUpperCase());
const camel = (name) => pascal(name).replace(/^[A-Z]/, (letter) => letter.toLowerCase());
const upper = (name) => name.toUpperCase().replace(/-/g, '_');

/** How each section caches, so that findings are spread through the file. */
const cacheStyles = ['jittered', 'no-ttl', 'jittered', 'constant-ttl', 'jittered', 'keys', 'update-then-set', 'jittered'];

/** The rule each cache style makes CacheScope report (once per section of that style). */
export const findingsOfStyle = {
  'no-ttl': 'require-ttl',
  'constant-ttl': 'require-ttl-jitter',
  keys: 'no-keys-command',
  'update-then-set': 'invalidate-dont-update',
};

function header() {
  return `/**
 * The analytics catalogue: reports, metrics, dashboards and the rest of what the console lists.
 * Reads are cached (cache-aside) in the package's Redis; writes go to the database first.
 */
import { createLogger } from '@acme/platform-common';
import { redis, ttlWithJitter } from '../cache';
import { ConflictError, NotFoundError } from '../common/http-errors';
import { prisma } from '../db/client';

export type CatalogueStatus = 'active' | 'suspended' | 'archived';

export interface CataloguePage<T> {
  items: T[];
  total: number;
  offset: number;
  limit: number;
}

const MAX_PAGE_SIZE = 200;

function clampPage(offset: number | undefined, limit: number | undefined): { offset: number; limit: number } {
  const safeOffset = Number.isInteger(offset) && (offset ?? 0) > 0 ? (offset as number) : 0;
  const safeLimit = Number.isInteger(limit) && (limit ?? 0) > 0 ? Math.min(limit as number, MAX_PAGE_SIZE) : 50;
  return { offset: safeOffset, limit: safeLimit };
}
`;
}

function section(entity, style, ttlSeconds) {
  const Name = pascal(entity);
  const name = camel(entity);
  const CONST = upper(entity);
  const ttl = {
    jittered: `'EX', ttlWithJitter(${CONST}_TTL_SECONDS)`,
    'constant-ttl': `'EX', ${CONST}_TTL_SECONDS`,
  };
  const fill =
    style === 'no-ttl'
      ? `await redis.set(key, JSON.stringify(found));`
      : `await redis.set(key, JSON.stringify(found), ${style === 'constant-ttl' ? ttl['constant-ttl'] : ttl.jittered});`;
  const afterUpdate =
    style === 'update-then-set'
      ? `    // Refresh the cached copy so readers see the new name at once.
    await redis.set(${name}Key(id), JSON.stringify(updated), ${ttl.jittered});`
      : `    await redis.del(${name}Key(id));`;
  const invalidateAll =
    style === 'keys'
      ? `  async invalidateAll(): Promise<number> {
    const keys = await redis.keys('catalogue:${entity}:*');
    if (keys.length > 0) await redis.del(...keys);
    this.logger.info({ count: keys.length }, 'invalidated ${name} entries');
    return keys.length;
  }`
      : `  async invalidateAll(): Promise<number> {
    let cursor = '0';
    let removed = 0;
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', 'catalogue:${entity}:*', 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) removed += await redis.del(...keys);
    } while (cursor !== '0');
    this.logger.info({ count: removed }, 'invalidated ${name} entries');
    return removed;
  }`;
  return `
// ------------------------------------------------------------------------------------ ${entity}

export interface ${Name}Record {
  id: string;
  tenantId: string;
  displayName: string;
  status: CatalogueStatus;
  tags: string[];
  priority: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface ${Name}Summary {
  total: number;
  byStatus: Record<CatalogueStatus, number>;
  busiestTenant?: string;
  newest?: string;
}

const ${CONST}_TTL_SECONDS = ${ttlSeconds};
const ${name}Key = (id: string): string => \`catalogue:${entity}:\${id}\`;

export function normalise${Name}Name(value: string): string {
  return value
    .normalize('NFKC')
    .replace(/\\s+/g, ' ')
    .trim()
    .slice(0, 120);
}

export function validate${Name}(input: Partial<${Name}Record>): string[] {
  const problems: string[] = [];
  if (!input.tenantId) problems.push('tenantId is required');
  if (!input.displayName || normalise${Name}Name(input.displayName).length < 2) {
    problems.push('displayName needs at least two characters');
  }
  if (input.priority !== undefined && (!Number.isInteger(input.priority) || input.priority < 0 || input.priority > 10)) {
    problems.push('priority must be a whole number from 0 to 10');
  }
  if (input.tags && input.tags.some((tag) => !/^[a-z0-9-]{1,32}$/.test(tag))) {
    problems.push('tags are lowercase words of at most 32 characters');
  }
  return problems;
}

export function ${name}ToView(record: ${Name}Record): Record<string, unknown> {
  return {
    id: record.id,
    name: record.displayName,
    status: record.status,
    tags: [...record.tags].sort(),
    priority: record.priority,
    updated: record.updatedAt.toISOString(),
  };
}

export function summarise${Name}s(records: readonly ${Name}Record[]): ${Name}Summary {
  const byStatus: Record<CatalogueStatus, number> = { active: 0, suspended: 0, archived: 0 };
  const perTenant = new Map<string, number>();
  let newest: ${Name}Record | undefined;
  for (const record of records) {
    byStatus[record.status] += 1;
    perTenant.set(record.tenantId, (perTenant.get(record.tenantId) ?? 0) + 1);
    if (!newest || record.createdAt > newest.createdAt) newest = record;
  }
  let busiestTenant: string | undefined;
  let busiestCount = 0;
  for (const [tenant, count] of perTenant) {
    if (count > busiestCount) {
      busiestTenant = tenant;
      busiestCount = count;
    }
  }
  return { total: records.length, byStatus, busiestTenant, newest: newest?.id };
}

export class ${Name}CatalogueService {
  private readonly logger = createLogger('analytics:catalogue:${entity}');

  async get(id: string): Promise<${Name}Record> {
    const key = ${name}Key(id);
    const cached = await redis.get(key);
    if (cached) return JSON.parse(cached) as ${Name}Record;
    const found = (await prisma.${name}.findUnique({ where: { id } })) as ${Name}Record | null;
    if (!found) throw new NotFoundError(\`${entity} \${id} not found\`);
    ${fill}
    return found;
  }

  async rename(id: string, displayName: string): Promise<${Name}Record> {
    const problems = validate${Name}({ ...(await this.get(id)), displayName });
    if (problems.length > 0) throw new ConflictError(problems.join('; '));
    const updated = (await prisma.${name}.update({ where: { id }, data: { displayName: normalise${Name}Name(displayName) } })) as ${Name}Record;
${afterUpdate}
    return updated;
  }

  async page(offset?: number, limit?: number): Promise<CataloguePage<${Name}Record>> {
    const window = clampPage(offset, limit);
    const [rows, total] = await Promise.all([
      prisma.${name}.findMany({ orderBy: { createdAt: 'desc' }, skip: window.offset, take: window.limit }),
      prisma.${name}.count(),
    ]);
    this.logger.debug({ count: rows.length, total }, 'listed ${name} page');
    return { items: rows as ${Name}Record[], total, ...window };
  }

${invalidateAll}
}
`;
}

/** Ordinary arithmetic that brings the file to its exact length: `lines` lines in all. */
function filler(index, lines) {
  const body = [];
  for (let i = 0; body.length < lines - 4; i++) body.push(`  total += weights[${i % 7}] * (values[${i}] ?? 0);`);
  return `\nexport function weightedScore${index}(values: readonly number[], weights: readonly number[]): number {\n  let total = 0;\n${body.join('\n')}\n  return total;\n}\n`;
}

const lineCount = (text) => text.split('\n').length - 1;

/**
 * A package of the corpus whose cache module (`src/cache`) exports the ioredis client and
 * `ttlWithJitter`, and whose `src/db/client.ts` exports a Prisma client: the generator gives such
 * modules to some packages. Small corpora may have none; then a `catalogue` package with just those
 * two modules is added, in the generator's shapes.
 */
function hostPackage(root) {
  const packagesDir = path.join(root, 'packages');
  const read = (file) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '');
  for (const name of fs.readdirSync(packagesDir).sort()) {
    const src = path.join(packagesDir, name, 'src');
    const cache = read(path.join(src, 'cache', 'index.ts'));
    const db = read(path.join(src, 'db', 'client.ts'));
    if (/export \{ redis\b/.test(cache) && cache.includes('export function ttlWithJitter') && db.includes('export const prisma')) return src;
  }
  const src = path.join(packagesDir, 'catalogue', 'src');
  const files = {
    'cache/client.ts': `import Redis from 'ioredis';\n\nexport const redis = new Redis(process.env.REDIS_URL ?? 'redis://localhost:6379', { keyPrefix: 'catalogue:' });\n`,
    'cache/index.ts':
      `export { redis } from './client';\n\n/** Spreads expiries so keys written together do not all expire in the same second. */\n` +
      `export function ttlWithJitter(seconds: number, spread = 0.1): number {\n  return Math.round(seconds * (1 + (Math.random() * 2 - 1) * spread));\n}\n`,
    'db/client.ts': `import { PrismaClient } from '@prisma/client';\n\nexport const prisma = new PrismaClient({ log: ['warn', 'error'] });\n`,
    'common/http-errors.ts':
      `export class NotFoundError extends Error {\n  readonly status = 404;\n}\n\nexport class ConflictError extends Error {\n  readonly status = 409;\n}\n`,
  };
  for (const [relative, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(src, relative)), { recursive: true });
    fs.writeFileSync(path.join(src, relative), text);
  }
  fs.writeFileSync(path.join(packagesDir, 'catalogue', 'package.json'), `${JSON.stringify({ name: '@acme/catalogue', private: true, main: 'src/index.ts' }, null, 2)}\n`);
  return src;
}

/**
 * Writes the service file (and, if needed, the modules it imports) into the corpus at `root`.
 * Returns its path, its text and the findings CacheScope is expected to report in it, by rule.
 */
export function writeServiceFile(root, targetLines = 2000) {
  const src = hostPackage(root);
  const file = path.join(src, 'catalogue', 'catalogue.service.ts');
  const { text, expected } = renderServiceFile(targetLines);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return { file, text, expected };
}

/**
 * The file's text, exactly `targetLines` lines long (at least about 150), and the findings
 * CacheScope is expected to report in it, by rule.
 */
export function renderServiceFile(targetLines = 2000) {
  let text = header();
  const expected = {};
  for (let index = 0; ; index++) {
    const round = Math.floor(index / entities.length);
    const entity = entities[index % entities.length] + (round > 0 ? `-${round + 1}` : '');
    const style = cacheStyles[index % cacheStyles.length];
    const next = section(entity, style, 300 + index * 60);
    if (index > 0 && lineCount(text + next) > targetLines - 8) break;
    text += next;
    const rule = findingsOfStyle[style];
    if (rule) expected[rule] = (expected[rule] ?? 0) + 1;
  }
  for (let index = 1; targetLines - lineCount(text) >= 6; index++) {
    text += filler(index, Math.min(targetLines - lineCount(text) - 1, 40));
  }
  while (lineCount(text) < targetLines) text += '\n';
  return { text, expected };
}
