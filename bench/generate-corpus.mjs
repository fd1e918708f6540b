#!/usr/bin/env node
/**
 * Generates a synthetic TypeScript monorepo for the lint benchmark: Node services (NestJS and
 * Express flavours) with controllers, services, repositories (Prisma, TypeORM and knex shapes),
 * entities, DTOs and utilities, importing each other relatively and across packages through
 * `@acme/<package>`. About 1% of the files touch a cache client, some through a package's own
 * `cache/` module and some through ioredis, node-redis or cache-manager directly, and those carry
 * the anti-patterns CacheScope looks for, so the linter has real work besides skipping files.
 *
 * Everything is derived from a seeded PRNG: the same options always give byte-identical output.
 *
 *   node bench/generate-corpus.mjs [--files 5000] [--out bench/.corpus] [--seed cachescope]
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = path.dirname(fileURLToPath(import.meta.url));

export const corpusDefaults = Object.freeze({
  files: 5000,
  seed: 'cachescope',
  out: path.join(benchDir, '.corpus'),
});

/** Written at the corpus root; its presence is what allows a later run to wipe the directory. */
export const manifestName = '.corpus-manifest.json';

const targetMeanLines = 88;
const minLines = 20;
const maxLines = 400;
const cacheShare = 0.01;

// ---------------------------------------------------------------------------------------------
// Seeded randomness

function hashSeed(seed) {
  // FNV-1a, so string and numeric seeds both work and nearby seeds diverge.
  let hash = 0x811c9dc5;
  for (const char of String(seed)) {
    hash ^= char.codePointAt(0);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

function createRandom(seed) {
  let state = hashSeed(seed);
  const next = () => {
    // mulberry32
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const random = {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (probability) => next() < probability,
    pick: (items) => items[Math.floor(next() * items.length)],
    shuffle: (items) => {
      const copy = [...items];
      for (let i = copy.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [copy[i], copy[j]] = [copy[j], copy[i]];
      }
      return copy;
    },
    sample: (items, count) => random.shuffle(items).slice(0, Math.min(count, items.length)),
    normal: () => {
      const u = Math.max(next(), 1e-12);
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
    },
  };
  return random;
}

// ---------------------------------------------------------------------------------------------
// Vocabulary

const domains = [
  { name: 'orders', nouns: ['order', 'order-line', 'refund', 'invoice', 'cart', 'coupon', 'discount', 'checkout', 'return-request'] },
  { name: 'catalog', nouns: ['product', 'category', 'brand', 'variant', 'price-list', 'collection', 'attribute', 'bundle', 'review'] },
  { name: 'identity', nouns: ['user', 'account', 'role', 'permission', 'session', 'api-key', 'team', 'invitation', 'profile'] },
  { name: 'billing', nouns: ['subscription', 'plan', 'payment', 'payout', 'ledger-entry', 'tax-rate', 'credit-note', 'dunning', 'usage-record'] },
  { name: 'inventory', nouns: ['stock-item', 'warehouse', 'reservation', 'transfer', 'supplier', 'purchase-order', 'bin', 'cycle-count', 'lot'] },
  { name: 'shipping', nouns: ['shipment', 'parcel', 'carrier', 'rate-quote', 'label', 'pickup', 'tracking-event', 'zone', 'manifest'] },
  { name: 'notifications', nouns: ['notification', 'template', 'channel', 'preference', 'digest', 'webhook', 'delivery', 'suppression', 'campaign'] },
  { name: 'analytics', nouns: ['report', 'metric', 'dashboard', 'segment', 'funnel', 'cohort', 'export-job', 'alert', 'goal'] },
  { name: 'search', nouns: ['index', 'synonym', 'query-log', 'ranking-rule', 'facet', 'suggestion', 'boost', 'redirect', 'stopword'] },
  { name: 'support', nouns: ['ticket', 'conversation', 'macro', 'agent', 'sla-policy', 'satisfaction', 'escalation', 'article', 'queue'] },
  { name: 'payments', nouns: ['charge', 'card', 'dispute', 'payment-intent', 'wallet', 'transfer-batch', 'fraud-check', 'settlement', 'mandate'] },
  { name: 'scheduling', nouns: ['appointment', 'slot', 'calendar', 'resource', 'booking', 'availability', 'reminder', 'holiday', 'shift'] },
  { name: 'content', nouns: ['page', 'block', 'asset', 'menu', 'locale-string', 'banner', 'redirect-rule', 'snippet', 'revision'] },
  { name: 'partners', nouns: ['partner', 'contract', 'commission', 'referral', 'payout-rule', 'territory', 'lead', 'deal', 'integration'] },
  { name: 'fleet', nouns: ['vehicle', 'driver', 'route', 'stop', 'inspection', 'fuel-log', 'maintenance', 'telemetry', 'assignment'] },
];

const qualifiers = ['', 'audit', 'note', 'tag', 'snapshot', 'batch', 'schedule', 'history', 'setting', 'policy', 'attachment', 'summary', 'import', 'archive', 'rule', 'event', 'draft', 'export', 'comment', 'link'];

const fieldPool = [
  { name: 'title', kind: 'string' },
  { name: 'description', kind: 'string', nullable: true },
  { name: 'amountCents', kind: 'int' },
  { name: 'currency', kind: 'string' },
  { name: 'customerId', kind: 'id' },
  { name: 'ownerId', kind: 'id' },
  { name: 'tenantId', kind: 'id' },
  { name: 'tags', kind: 'strings' },
  { name: 'metadata', kind: 'record' },
  { name: 'scheduledAt', kind: 'date', nullable: true },
  { name: 'completedAt', kind: 'date', nullable: true },
  { name: 'priority', kind: 'int' },
  { name: 'externalRef', kind: 'string', nullable: true },
  { name: 'isActive', kind: 'bool' },
  { name: 'region', kind: 'string' },
  { name: 'quantity', kind: 'int' },
  { name: 'sku', kind: 'string' },
  { name: 'email', kind: 'string' },
  { name: 'notes', kind: 'string', nullable: true },
  { name: 'sortOrder', kind: 'int' },
  { name: 'expiresAt', kind: 'date', nullable: true },
  { name: 'source', kind: 'string' },
  { name: 'channel', kind: 'string' },
  { name: 'locale', kind: 'string' },
  { name: 'score', kind: 'float' },
  { name: 'attempts', kind: 'int' },
  { name: 'parentId', kind: 'id', nullable: true },
  { name: 'label', kind: 'string' },
  { name: 'weightGrams', kind: 'int' },
  { name: 'isPublic', kind: 'bool' },
];

const statusPool = ['PENDING', 'ACTIVE', 'SUSPENDED', 'ARCHIVED', 'DRAFT', 'PUBLISHED', 'FAILED', 'COMPLETED', 'CANCELLED', 'PROCESSING', 'EXPIRED', 'APPROVED', 'REJECTED'];

const utilityModules = ['dates', 'strings', 'ids', 'retry', 'money', 'collections', 'pagination', 'objects', 'async', 'validation', 'hashing', 'csv'];

// ---------------------------------------------------------------------------------------------
// Names

const pascal = (kebab) => kebab.split('-').filter(Boolean).map((part) => part[0].toUpperCase() + part.slice(1)).join('');
const camel = (kebab) => {
  const p = pascal(kebab);
  return p[0].toLowerCase() + p.slice(1);
};
const snake = (camelName) => camelName.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const upperSnake = (kebab) => kebab.replace(/-/g, '_').toUpperCase();
const plural = (word) => {
  if (/[^aeiou]y$/.test(word)) return `${word.slice(0, -1)}ies`;
  if (/(s|x|ch|sh)$/.test(word)) return `${word}es`;
  return `${word}s`;
};
const cap = (word) => word[0].toUpperCase() + word.slice(1);

function tsType(field) {
  const base = { string: 'string', id: 'string', int: 'number', float: 'number', bool: 'boolean', date: 'Date', strings: 'string[]', record: 'Record<string, unknown>' }[field.kind];
  return field.nullable ? `${base} | null` : base;
}

function sampleValue(field, random) {
  switch (field.kind) {
    case 'string':
      return `'${random.pick(['alpha', 'north', 'retail', 'standard', 'eu-west', 'priority', 'internal'])}-${random.int(1, 999)}'`;
    case 'id':
      return `'${random.pick(['usr', 'acc', 'ten', 'cus'])}_${random.int(1000, 99999)}'`;
    case 'int':
      return String(random.int(0, 5000));
    case 'float':
      return `${random.int(0, 99)}.${random.int(1, 9)}`;
    case 'bool':
      return random.chance(0.5) ? 'true' : 'false';
    case 'date':
      return `new Date('2024-0${random.int(1, 9)}-1${random.int(0, 9)}T10:00:00Z')`;
    case 'strings':
      return `['${random.pick(['vip', 'beta', 'eu', 'wholesale'])}']`;
    case 'record':
      return `{ origin: '${random.pick(['import', 'api', 'admin'])}' }`;
    default:
      return 'undefined';
  }
}

// ---------------------------------------------------------------------------------------------
// Planning: which files exist, what each one is, how long it should be

function sampleTargetLines(random, median) {
  const value = Math.round(median * Math.exp(0.62 * random.normal()));
  // Margins keep the result inside [minLines, maxLines] after blocks overshoot or undershoot a little.
  return Math.max(minLines + 2, Math.min(maxLines - 16, value));
}

// Medians per kind, calibrated so the corpus averages about 88 lines a file.
const kindMedians = {
  controller: 116,
  service: 126,
  repository: 100,
  entity: 55,
  'dto-create': 38,
  'dto-update': 30,
  'dto-query': 34,
  mapper: 58,
  validator: 58,
  events: 45,
  spec: 95,
  module: 24,
  constants: 30,
  types: 40,
  util: 84,
  common: 70,
  job: 85,
  middleware: 55,
  config: 42,
  'cached-service': 150,
  'cache-admin': 90,
  'cache-job': 80,
};

function makeEntity(random, moduleName) {
  const fields = random.sample(fieldPool, random.int(3, 10));
  const statuses = random.sample(statusPool, random.int(3, 6));
  const name = pascal(moduleName);
  return {
    moduleName,
    name,
    camelName: camel(moduleName),
    plural: plural(camel(moduleName)),
    pluralPascal: plural(name),
    table: plural(moduleName.replace(/-/g, '_')),
    fields,
    statuses,
    statusEnum: `${name}Status`,
  };
}

function planCorpus(fileCount, random) {
  const packageCount = Math.max(2, Math.min(domains.length + 1, Math.round(fileCount / 380)));
  const cacheTarget = Math.max(1, Math.round(fileCount * cacheShare));
  const packages = [];
  const commonPackage = { name: 'platform-common', common: true, files: [], modules: [], framework: 'none', orm: 'none' };
  packages.push(commonPackage);
  for (const domain of random.shuffle(domains).slice(0, packageCount - 1)) {
    packages.push({
      name: domain.name,
      domain,
      common: false,
      framework: random.chance(0.55) ? 'nest' : 'express',
      orm: random.pick(['prisma', 'typeorm', 'knex']),
      files: [],
      modules: [],
      hasCacheModule: false,
    });
  }
  const services = packages.filter((pkg) => !pkg.common);

  const files = [];
  const addFile = (pkg, relative, kind, extra = {}) => {
    const spec = { pkg, path: `packages/${pkg.name}/src/${relative}`, relative, kind, ...extra };
    spec.target = sampleTargetLines(random, kindMedians[kind] ?? 60);
    pkg.files.push(spec);
    files.push(spec);
    return spec;
  };

  // The shared package every service imports from.
  for (const util of utilityModules) addFile(commonPackage, `${util}.ts`, 'util', { util });
  addFile(commonPackage, 'errors.ts', 'common', { common: 'errors' });
  addFile(commonPackage, 'logger.ts', 'common', { common: 'logger' });
  addFile(commonPackage, 'index.ts', 'package-index');

  // Fixed skeleton of every service package.
  for (const pkg of services) {
    addFile(pkg, 'index.ts', 'package-index');
    addFile(pkg, 'main.ts', 'bootstrap');
    addFile(pkg, pkg.framework === 'nest' ? 'app.module.ts' : 'app.ts', 'composition');
    addFile(pkg, 'config/env.ts', 'config', { config: 'env' });
    addFile(pkg, 'config/database.ts', 'config', { config: 'database' });
    addFile(pkg, 'db/client.ts', 'db-client');
    addFile(pkg, 'common/http-errors.ts', 'common', { common: 'http-errors' });
    addFile(pkg, 'common/request-context.ts', 'common', { common: 'request-context' });
    if (pkg.framework === 'express') {
      addFile(pkg, 'middleware/async-handler.ts', 'middleware', { middleware: 'async-handler' });
      addFile(pkg, 'middleware/auth.ts', 'middleware', { middleware: 'auth' });
      addFile(pkg, 'middleware/error-handler.ts', 'middleware', { middleware: 'error-handler' });
    } else {
      addFile(pkg, 'common/auth.guard.ts', 'middleware', { middleware: 'guard' });
      addFile(pkg, 'common/logging.interceptor.ts', 'middleware', { middleware: 'interceptor' });
    }
  }

  // Cache modules: a client, its re-exporting index and key helpers, in about half the packages.
  const cachePackageCount = Math.max(cacheTarget >= 4 ? 1 : 0, Math.min(Math.ceil(services.length / 2), Math.floor(cacheTarget / 8)));
  const cachePackages = random.sample(services, cachePackageCount);
  const cacheFiles = [];
  for (const pkg of cachePackages) {
    pkg.hasCacheModule = true;
    cacheFiles.push(addFile(pkg, 'cache/client.ts', 'cache-client', { touchesCache: true }));
    cacheFiles.push(addFile(pkg, 'cache/index.ts', 'cache-index', { touchesCache: true }));
    addFile(pkg, 'cache/keys.ts', 'cache-keys');
  }
  // Operator endpoints and warm-up jobs in some of them; most cache users are services (below).
  cachePackages.forEach((pkg, index) => {
    if (index % 2 === 0 && cacheFiles.length < cacheTarget) cacheFiles.push(addFile(pkg, 'ops/cache-admin.controller.ts', 'cache-admin', { touchesCache: true }));
    if (index % 3 === 0 && cacheFiles.length < cacheTarget) cacheFiles.push(addFile(pkg, 'jobs/cache-warmup.job.ts', 'cache-job', { touchesCache: true }));
  });

  // Modules fill the remaining budget; a share of their services become cached services.
  const modulePlans = [];
  const usedModuleNames = new Map(services.map((pkg) => [pkg, new Set()]));
  let serviceIndex = 0;
  let stalled = 0;
  while (files.length < fileCount && stalled < services.length * 4) {
    const pkg = services[serviceIndex++ % services.length];
    const used = usedModuleNames.get(pkg);
    const noun = random.pick(pkg.domain.nouns);
    const qualifier = random.pick(qualifiers);
    const moduleName = qualifier ? `${noun}-${qualifier}` : noun;
    if (used.has(moduleName)) {
      stalled++;
      continue;
    }
    stalled = 0;
    used.add(moduleName);
    const entity = makeEntity(random, moduleName);
    const module = { pkg, name: moduleName, entity, files: {} };
    const dir = moduleName;
    const add = (suffix, kind, extra) => {
      if (files.length >= fileCount) return undefined;
      const spec = addFile(pkg, `${dir}/${suffix}`, kind, { module, ...extra });
      return spec;
    };
    module.files.entity = add(`${moduleName}.entity.ts`, 'entity');
    module.files.repository = add(`${moduleName}.repository.ts`, 'repository');
    module.files.service = add(`${moduleName}.service.ts`, 'service');
    if (random.chance(0.85)) module.files.controller = add(`${moduleName}.controller.ts`, 'controller');
    if (random.chance(0.75)) {
      module.files.dtoCreate = add(`dto/create-${moduleName}.dto.ts`, 'dto-create');
      module.files.dtoUpdate = add(`dto/update-${moduleName}.dto.ts`, 'dto-update');
    }
    if (random.chance(0.45)) module.files.dtoQuery = add(`dto/${moduleName}-query.dto.ts`, 'dto-query');
    if (random.chance(0.5)) module.files.mapper = add(`${moduleName}.mapper.ts`, 'mapper');
    if (random.chance(0.4)) module.files.validator = add(`${moduleName}.validator.ts`, 'validator');
    if (random.chance(0.3)) module.files.events = add(`${moduleName}.events.ts`, 'events');
    if (random.chance(0.2)) module.files.constants = add(`${moduleName}.constants.ts`, 'constants');
    if (random.chance(0.25)) module.files.types = add(`${moduleName}.types.ts`, 'types');
    if (random.chance(0.12)) module.files.job = add(`jobs/${moduleName}-sync.job.ts`, 'job');
    if (pkg.framework === 'nest' && random.chance(0.9)) module.files.module = add(`${moduleName}.module.ts`, 'module');
    if (random.chance(0.3)) module.files.spec = add(`${moduleName}.service.spec.ts`, 'spec');
    // A module is usable only with its three core files; a budget cut mid-module drops it.
    if (!module.files.entity || !module.files.repository || !module.files.service) {
      for (const spec of Object.values(module.files)) {
        if (!spec) continue;
        files.splice(files.indexOf(spec), 1);
        pkg.files.splice(pkg.files.indexOf(spec), 1);
      }
      break;
    }
    for (const key of Object.keys(module.files)) if (!module.files[key]) delete module.files[key];
    pkg.modules.push(module);
    modulePlans.push(module);
  }

  // Pad with utility files when the module loop ends short (tiny corpora, exhausted names).
  let padIndex = 0;
  while (files.length < fileCount) {
    const pkg = services[padIndex % services.length];
    addFile(pkg, `utils/helpers-${padIndex}.ts`, 'util', { util: utilityModules[padIndex % utilityModules.length] });
    padIndex++;
  }

  // Convert services to cached services until the cache share is reached.
  const flavours = ['project', 'ioredis', 'project', 'node-redis', 'project', 'cache-manager', 'ioredis', 'nest-cache-manager'];
  let flavourIndex = 0;
  for (const module of random.shuffle(modulePlans)) {
    if (cacheFiles.length >= cacheTarget) break;
    let flavour = flavours[flavourIndex % flavours.length];
    if (flavour === 'project' && !module.pkg.hasCacheModule) flavour = 'ioredis';
    if (flavour === 'nest-cache-manager' && module.pkg.framework !== 'nest') flavour = 'cache-manager';
    flavourIndex++;
    const spec = module.files.service;
    spec.kind = 'cached-service';
    spec.flavour = flavour;
    spec.touchesCache = true;
    spec.target = sampleTargetLines(random, kindMedians['cached-service']);
    spec.antiPatterns = pickAntiPatterns(random, cacheFiles.length);
    // Half of them query the ORM themselves, as many NestJS services do, instead of a repository class.
    spec.directOrm = random.chance(0.5);
    cacheFiles.push(spec);
  }

  return { packages, files, cacheFiles };
}

const antiPatternNames = ['keys', 'no-ttl', 'constant-ttl', 'set-after-update'];

function pickAntiPatterns(random, index) {
  // The first few cached services cover every anti-pattern; later ones get a random mix.
  const chosen = new Set([antiPatternNames[index % antiPatternNames.length]]);
  for (const name of antiPatternNames) if (random.chance(0.35)) chosen.add(name);
  return chosen;
}

// ---------------------------------------------------------------------------------------------
// Rendering helpers

class Source {
  constructor() {
    this.lines = [];
  }
  add(...lines) {
    for (const line of lines.flat()) this.lines.push(line);
    return this;
  }
  get length() {
    return this.lines.length;
  }
  toString() {
    return `${this.lines.join('\n')}\n`;
  }
}

function relativeImport(fromFile, toFile) {
  let relative = path.posix.relative(path.posix.dirname(fromFile), toFile).replace(/\.ts$/, '');
  if (relative.endsWith('/index')) relative = relative.slice(0, -'/index'.length);
  if (!relative.startsWith('.')) relative = `./${relative}`;
  return relative;
}

function importLine(names, from, typeOnly = false) {
  const list = [...new Set(names)].sort();
  if (list.length === 0) return [];
  const keyword = typeOnly ? 'import type' : 'import';
  const single = `${keyword} { ${list.join(', ')} } from '${from}';`;
  if (single.length <= 100) return [single];
  return [`${keyword} {`, ...list.map((name) => `  ${name},`), `} from '${from}';`];
}

/** Collects imports while a file's body is written, then prints them in a stable order. */
class Imports {
  constructor(fromFile) {
    this.fromFile = fromFile;
    this.named = new Map();
    this.types = new Map();
    this.defaults = new Map();
  }
  value(from, ...names) {
    const set = this.named.get(from) ?? new Set();
    names.forEach((name) => set.add(name));
    this.named.set(from, set);
    return this;
  }
  type(from, ...names) {
    const set = this.types.get(from) ?? new Set();
    names.forEach((name) => set.add(name));
    this.types.set(from, set);
    return this;
  }
  defaultImport(from, name) {
    this.defaults.set(from, name);
    return this;
  }
  file(toFile) {
    return relativeImport(this.fromFile, toFile);
  }
  render() {
    const specifiers = [...new Set([...this.named.keys(), ...this.types.keys(), ...this.defaults.keys()])];
    const packagesFirst = specifiers.sort((a, b) => {
      const rank = (s) => (s.startsWith('.') ? 2 : s.startsWith('@acme/') ? 1 : 0);
      return rank(a) - rank(b) || a.localeCompare(b);
    });
    const lines = [];
    for (const from of packagesFirst) {
      const named = [...(this.named.get(from) ?? [])];
      const types = [...(this.types.get(from) ?? [])].filter((name) => !named.includes(name));
      const defaultName = this.defaults.get(from);
      if (defaultName && named.length > 0) {
        lines.push(`import ${defaultName}, { ${[...new Set(named)].sort().join(', ')} } from '${from}';`);
      } else if (defaultName) {
        lines.push(`import ${defaultName} from '${from}';`);
      } else if (named.length > 0) {
        lines.push(...importLine(named, from));
      }
      if (types.length > 0) lines.push(...importLine(types, from, true));
    }
    return lines;
  }
}

// ---------------------------------------------------------------------------------------------
// Reusable code blocks. Each returns lines; callers append blocks until a file reaches its target.

/** Helpers over an entity; `statusInScope` says whether the file can use the status enum as a value. */
function entityHelperBlocks(entity, random, statusInScope = false) {
  const E = entity.name;
  const blocks = [];
  for (const field of entity.fields) {
    const F = cap(field.name);
    if (field.kind === 'int' || field.kind === 'float') {
      blocks.push([
        `export function total${E}${F}(items: readonly ${E}[]): number {`,
        `  return items.reduce((sum, item) => sum + (item.${field.name} ?? 0), 0);`,
        `}`,
      ]);
      blocks.push([
        `export function compare${E}By${F}(a: ${E}, b: ${E}): number {`,
        `  if (a.${field.name} === b.${field.name}) return a.id.localeCompare(b.id);`,
        `  return a.${field.name} < b.${field.name} ? -1 : 1;`,
        `}`,
      ]);
    } else if (field.kind === 'string' || field.kind === 'id') {
      blocks.push([
        `export function group${plural(E)}By${F}(items: readonly ${E}[]): Map<string, ${E}[]> {`,
        `  const groups = new Map<string, ${E}[]>();`,
        `  for (const item of items) {`,
        `    const key = item.${field.name} ?? 'unknown';`,
        `    const bucket = groups.get(key);`,
        `    if (bucket) bucket.push(item);`,
        `    else groups.set(key, [item]);`,
        `  }`,
        `  return groups;`,
        `}`,
      ]);
      blocks.push([
        `export function distinct${E}${plural(F)}(items: readonly ${E}[]): string[] {`,
        `  const seen = new Map<string, number>();`,
        `  for (const item of items) {`,
        `    if (item.${field.name}) seen.set(item.${field.name}, (seen.get(item.${field.name}) ?? 0) + 1);`,
        `  }`,
        `  return [...seen.keys()].sort();`,
        `}`,
      ]);
    } else if (field.kind === 'date') {
      blocks.push([
        `export function is${E}${F}Overdue(item: ${E}, now: Date = new Date()): boolean {`,
        `  if (!item.${field.name}) return false;`,
        `  return item.${field.name}.getTime() < now.getTime();`,
        `}`,
      ]);
    } else if (field.kind === 'bool') {
      blocks.push([
        `export function partition${plural(E)}By${F}(items: readonly ${E}[]): [${E}[], ${E}[]] {`,
        `  const yes: ${E}[] = [];`,
        `  const no: ${E}[] = [];`,
        `  for (const item of items) (item.${field.name} ? yes : no).push(item);`,
        `  return [yes, no];`,
        `}`,
      ]);
    } else if (field.kind === 'strings') {
      blocks.push([
        `export function ${camel(entity.moduleName)}Has${F.replace(/s$/, '')}(item: ${E}, value: string): boolean {`,
        `  return item.${field.name}.some((entry) => entry.toLowerCase() === value.toLowerCase());`,
        `}`,
      ]);
    } else if (field.kind === 'record') {
      blocks.push([
        `export function ${camel(entity.moduleName)}${F}Keys(item: ${E}): string[] {`,
        `  return Object.keys(item.${field.name}).filter((key) => !key.startsWith('_')).sort();`,
        `}`,
      ]);
    }
  }
  blocks.push([
    `export function diff${E}(before: ${E}, after: ${E}): string[] {`,
    `  const changed: string[] = [];`,
    `  for (const key of Object.keys(after) as Array<keyof ${E}>) {`,
    `    const left = before[key];`,
    `    const right = after[key];`,
    `    if (left instanceof Date && right instanceof Date) {`,
    `      if (left.getTime() !== right.getTime()) changed.push(String(key));`,
    `    } else if (JSON.stringify(left) !== JSON.stringify(right)) {`,
    `      changed.push(String(key));`,
    `    }`,
    `  }`,
    `  return changed;`,
    `}`,
  ]);
  blocks.push([
    `export function describe${E}(item: ${E}): string {`,
    `  const parts = [\`${entity.moduleName} \${item.id}\`, item.status.toLowerCase()];`,
    ...entity.fields.slice(0, 2).map((field) => `  if (item.${field.name} !== null && item.${field.name} !== undefined) parts.push(String(item.${field.name}));`),
    `  return parts.join(' · ');`,
    `}`,
  ]);
  blocks.push([
    `export function index${plural(E)}ById(items: readonly ${E}[]): Record<string, ${E}> {`,
    `  const byId: Record<string, ${E}> = {};`,
    `  for (const item of items) byId[item.id] = item;`,
    `  return byId;`,
    `}`,
  ]);
  if (statusInScope) blocks.push([
    `export function count${plural(E)}ByStatus(items: readonly ${E}[]): Record<${entity.statusEnum}, number> {`,
    `  const counts = {} as Record<${entity.statusEnum}, number>;`,
    `  for (const status of Object.values(${entity.statusEnum})) counts[status] = 0;`,
    `  for (const item of items) counts[item.status] += 1;`,
    `  return counts;`,
    `}`,
  ]);
  blocks.push([
    `export function latest${E}(items: readonly ${E}[]): ${E} | undefined {`,
    `  let latest: ${E} | undefined;`,
    `  for (const item of items) {`,
    `    if (!latest || item.updatedAt.getTime() > latest.updatedAt.getTime()) latest = item;`,
    `  }`,
    `  return latest;`,
    `}`,
  ]);
  return random.shuffle(blocks);
}

function genericHelperBlocks(prefix, random) {
  const P = pascal(prefix);
  const blocks = [
    [
      `export function chunk${P}<T>(items: readonly T[], size: number): T[][] {`,
      `  if (size <= 0) throw new RangeError('chunk size must be positive');`,
      `  const chunks: T[][] = [];`,
      `  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));`,
      `  return chunks;`,
      `}`,
    ],
    [
      `export function uniqueBy${P}<T, K>(items: readonly T[], keyOf: (item: T) => K): T[] {`,
      `  const seen = new Set<K>();`,
      `  const result: T[] = [];`,
      `  for (const item of items) {`,
      `    const key = keyOf(item);`,
      `    if (seen.has(key)) continue;`,
      `    seen.add(key);`,
      `    result.push(item);`,
      `  }`,
      `  return result;`,
      `}`,
    ],
    [
      `export async function mapLimit${P}<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {`,
      `  const results = new Array<R>(items.length);`,
      `  let cursor = 0;`,
      `  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {`,
      `    while (cursor < items.length) {`,
      `      const index = cursor++;`,
      `      results[index] = await task(items[index]);`,
      `    }`,
      `  });`,
      `  await Promise.all(workers);`,
      `  return results;`,
      `}`,
    ],
    [
      `export function pick${P}<T extends object, K extends keyof T>(source: T, keys: readonly K[]): Pick<T, K> {`,
      `  const picked = {} as Pick<T, K>;`,
      `  for (const key of keys) {`,
      `    if (key in source) picked[key] = source[key];`,
      `  }`,
      `  return picked;`,
      `}`,
    ],
    [
      `export function omitUndefined${P}<T extends Record<string, unknown>>(source: T): Partial<T> {`,
      `  const result: Partial<T> = {};`,
      `  for (const key of Object.keys(source) as Array<keyof T>) {`,
      `    if (source[key] !== undefined) result[key] = source[key];`,
      `  }`,
      `  return result;`,
      `}`,
    ],
    [
      `export function sleep${P}(ms: number, signal?: AbortSignal): Promise<void> {`,
      `  return new Promise((resolve, reject) => {`,
      `    const timer = setTimeout(resolve, ms);`,
      `    signal?.addEventListener('abort', () => {`,
      `      clearTimeout(timer);`,
      `      reject(signal.reason ?? new Error('aborted'));`,
      `    });`,
      `  });`,
      `}`,
    ],
    [
      `export function formatDuration${P}(ms: number): string {`,
      `  if (ms < 1000) return \`\${ms} ms\`;`,
      `  const seconds = ms / 1000;`,
      `  if (seconds < 60) return \`\${seconds.toFixed(1)} s\`;`,
      `  const minutes = Math.floor(seconds / 60);`,
      `  return \`\${minutes} min \${Math.round(seconds % 60)} s\`;`,
      `}`,
    ],
    [
      `export function parseBoolean${P}(value: string | undefined, fallback = false): boolean {`,
      `  if (value === undefined || value === '') return fallback;`,
      `  return ['1', 'true', 'yes', 'on'].includes(value.trim().toLowerCase());`,
      `}`,
    ],
    [
      `export function slugify${P}(text: string): string {`,
      `  return text`,
      `    .normalize('NFKD')`,
      `    .replace(/[\\u0300-\\u036f]/g, '')`,
      `    .toLowerCase()`,
      `    .replace(/[^a-z0-9]+/g, '-')`,
      `    .replace(/^-+|-+$/g, '');`,
      `}`,
    ],
    [
      `export function toQueryString${P}(params: Record<string, string | number | boolean | undefined>): string {`,
      `  const search = new URLSearchParams();`,
      `  for (const [key, value] of Object.entries(params)) {`,
      `    if (value !== undefined) search.set(key, String(value));`,
      `  }`,
      `  return search.toString();`,
      `}`,
    ],
    [
      `export function deepFreeze${P}<T>(value: T): Readonly<T> {`,
      `  if (value && typeof value === 'object') {`,
      `    for (const key of Object.keys(value)) deepFreeze${P}((value as Record<string, unknown>)[key]);`,
      `    Object.freeze(value);`,
      `  }`,
      `  return value;`,
      `}`,
    ],
    [
      `export class Lru${P}<K, V> {`,
      `  private readonly entries = new Map<K, V>();`,
      ``,
      `  constructor(private readonly capacity: number) {}`,
      ``,
      `  get(key: K): V | undefined {`,
      `    const value = this.entries.get(key);`,
      `    if (value === undefined) return undefined;`,
      `    this.entries.delete(key);`,
      `    this.entries.set(key, value);`,
      `    return value;`,
      `  }`,
      ``,
      `  set(key: K, value: V): void {`,
      `    this.entries.delete(key);`,
      `    this.entries.set(key, value);`,
      `    if (this.entries.size > this.capacity) {`,
      `      const oldest = this.entries.keys().next();`,
      `      if (!oldest.done) this.entries.delete(oldest.value);`,
      `    }`,
      `  }`,
      `}`,
    ],
    [
      `export async function withRetry${P}<T>(task: () => Promise<T>, attempts = ${random.int(3, 6)}, baseDelayMs = ${random.pick([50, 100, 200, 250])}): Promise<T> {`,
      `  let lastError: unknown;`,
      `  for (let attempt = 0; attempt < attempts; attempt++) {`,
      `    try {`,
      `      return await task();`,
      `    } catch (error) {`,
      `      lastError = error;`,
      `      const delay = baseDelayMs * 2 ** attempt + Math.floor(Math.random() * baseDelayMs);`,
      `      await new Promise((resolve) => setTimeout(resolve, delay));`,
      `    }`,
      `  }`,
      `  throw lastError;`,
      `}`,
    ],
    [
      `export function sumBy${P}<T>(items: readonly T[], valueOf: (item: T) => number): number {`,
      `  let total = 0;`,
      `  for (const item of items) total += valueOf(item);`,
      `  return total;`,
      `}`,
    ],
    [
      `export function countWords${P}(text: string): Map<string, number> {`,
      `  const counts = new Map<string, number>();`,
      `  for (const word of text.toLowerCase().split(/\\W+/).filter(Boolean)) {`,
      `    counts.set(word, (counts.get(word) ?? 0) + 1);`,
      `  }`,
      `  return counts;`,
      `}`,
    ],
    [
      `export function csvEscape${P}(value: unknown): string {`,
      `  const text = value === null || value === undefined ? '' : String(value);`,
      `  return /[",\\n]/.test(text) ? \`"\${text.replace(/"/g, '""')}"\` : text;`,
      `}`,
    ],
  ];
  return random.shuffle(blocks);
}

/** Appends blocks until `source` is within a few lines of `target`, skipping blocks that would overshoot it. */
function fillWith(source, blocks, target) {
  for (const block of blocks) {
    if (source.length >= target - 2) break;
    if (source.length + 1 + block.length > target + 4) continue;
    source.add('', block);
  }
}

function fieldsForCreate(entity) {
  return entity.fields.filter((field) => !field.nullable);
}

// ---------------------------------------------------------------------------------------------
// Renderers per file kind

function renderEntity(spec, ctx) {
  const { entity } = spec.module;
  const { orm } = spec.pkg;
  const src = new Source();
  const imports = new Imports(spec.path);
  const E = entity.name;
  const body = new Source();
  body.add(`export enum ${entity.statusEnum} {`, ...entity.statuses.map((status) => `  ${status} = '${status}',`), `}`, '');
  if (orm === 'typeorm') {
    imports.value('typeorm', 'Column', 'CreateDateColumn', 'Entity', 'Index', 'PrimaryGeneratedColumn', 'UpdateDateColumn');
    body.add(`@Entity('${entity.table}')`, `export class ${E} {`, `  @PrimaryGeneratedColumn('uuid')`, `  id!: string;`, '');
    body.add(`  @Index()`, `  @Column({ type: 'varchar', length: 32, default: ${entity.statusEnum}.${entity.statuses[0]} })`, `  status!: ${entity.statusEnum};`, '');
    for (const field of entity.fields) {
      const columnType = { string: "'varchar'", id: "'uuid'", int: "'integer'", float: "'double precision'", bool: "'boolean'", date: "'timestamptz'", strings: "'text', array: true", record: "'jsonb'" }[field.kind];
      body.add(`  @Column({ type: ${columnType}, name: '${snake(field.name)}'${field.nullable ? ', nullable: true' : ''} })`, `  ${field.name}!: ${tsType(field)};`, '');
    }
    body.add(`  @CreateDateColumn({ name: 'created_at' })`, `  createdAt!: Date;`, '', `  @UpdateDateColumn({ name: 'updated_at' })`, `  updatedAt!: Date;`, `}`);
  } else {
    body.add(`export interface ${E} {`, `  id: string;`, `  status: ${entity.statusEnum};`);
    for (const field of entity.fields) body.add(`  ${field.name}: ${tsType(field)};`);
    body.add(`  createdAt: Date;`, `  updatedAt: Date;`, `}`);
    if (orm === 'knex') {
      body.add('', `/** The row as stored in \`${entity.table}\`. */`, `export interface ${E}Row {`, `  id: string;`, `  status: string;`);
      for (const field of entity.fields) body.add(`  ${snake(field.name)}: ${field.kind === 'strings' || field.kind === 'record' ? 'string' : tsType(field)};`);
      body.add(`  created_at: Date;`, `  updated_at: Date;`, `}`, '');
      body.add(`export function ${camel(entity.moduleName)}FromRow(row: ${E}Row): ${E} {`, `  return {`, `    id: row.id,`, `    status: row.status as ${entity.statusEnum},`);
      for (const field of entity.fields) {
        const value = field.kind === 'strings' || field.kind === 'record' ? `JSON.parse(row.${snake(field.name)})` : `row.${snake(field.name)}`;
        body.add(`    ${field.name}: ${value},`);
      }
      body.add(`    createdAt: row.created_at,`, `    updatedAt: row.updated_at,`, `  };`, `}`, '');
      body.add(`export function ${camel(entity.moduleName)}ToRow(item: Partial<${E}>): Partial<${E}Row> {`, `  const row: Partial<${E}Row> = {};`, `  if (item.status !== undefined) row.status = item.status;`);
      for (const field of entity.fields) {
        const value = field.kind === 'strings' || field.kind === 'record' ? `JSON.stringify(item.${field.name})` : `item.${field.name}`;
        body.add(`  if (item.${field.name} !== undefined) row.${snake(field.name)} = ${value};`);
      }
      body.add(`  return row;`, `}`);
    }
  }
  body.add('', `export const ${upperSnake(entity.moduleName)}_TRANSITIONS: Record<${entity.statusEnum}, readonly ${entity.statusEnum}[]> = {`);
  entity.statuses.forEach((status, index) => {
    const next = entity.statuses.filter((_, other) => other !== index && (other === index + 1 || other === 0));
    body.add(`  [${entity.statusEnum}.${status}]: [${next.map((s) => `${entity.statusEnum}.${s}`).join(', ')}],`);
  });
  body.add(`};`);
  const header = [`/** ${E}: ${entity.moduleName.replace(/-/g, ' ')} records of the ${spec.pkg.name} service. */`];
  src.add(header, imports.render(), '', body.lines);
  fillWith(src, entityHelperBlocks(entity, ctx.random, true), spec.target);
  return src;
}

function repositoryMethods(spec, ctx) {
  const { entity } = spec.module;
  const { orm } = spec.pkg;
  const E = entity.name;
  const random = ctx.random;
  const model = entity.camelName;
  const methods = [];
  const queryType = spec.module.files.dtoQuery ? `${E}Query` : `{ status?: ${entity.statusEnum}; limit?: number; offset?: number }`;
  if (orm === 'prisma') {
    methods.push(
      [`  async findById(id: string): Promise<${E} | null> {`, `    return this.prisma.${model}.findUnique({ where: { id } }) as Promise<${E} | null>;`, `  }`],
      [
        `  async findMany(query: ${queryType}): Promise<${E}[]> {`,
        `    const rows = await this.prisma.${model}.findMany({`,
        `      where: { status: query.status },`,
        `      orderBy: { createdAt: 'desc' },`,
        `      skip: query.offset ?? 0,`,
        `      take: Math.min(query.limit ?? 50, 200),`,
        `    });`,
        `    return rows as ${E}[];`,
        `  }`,
      ],
      [`  async count(status?: ${entity.statusEnum}): Promise<number> {`, `    return this.prisma.${model}.count({ where: status ? { status } : undefined });`, `  }`],
      [`  async create(data: Omit<${E}, 'id' | 'createdAt' | 'updatedAt'>): Promise<${E}> {`, `    return this.prisma.${model}.create({ data }) as Promise<${E}>;`, `  }`],
      [`  async update(id: string, data: Partial<${E}>): Promise<${E}> {`, `    return this.prisma.${model}.update({ where: { id }, data }) as Promise<${E}>;`, `  }`],
      [
        `  async softDelete(id: string): Promise<void> {`,
        `    await this.prisma.${model}.update({`,
        `      where: { id },`,
        `      data: { status: ${entity.statusEnum}.${entity.statuses[entity.statuses.length - 1]} },`,
        `    });`,
        `  }`,
      ],
      [
        `  async updateMany(ids: string[], data: Partial<${E}>): Promise<number> {`,
        `    const result = await this.prisma.$transaction(async (tx) => {`,
        `      return tx.${model}.updateMany({ where: { id: { in: ids } }, data });`,
        `    });`,
        `    return result.count;`,
        `  }`,
      ],
    );
    for (const field of entity.fields.slice(0, 4)) {
      methods.push([`  async findBy${cap(field.name)}(value: ${tsType(field).replace(' | null', '')}): Promise<${E}[]> {`, `    return this.prisma.${model}.findMany({ where: { ${field.name}: value } }) as Promise<${E}[]>;`, `  }`]);
    }
  } else if (orm === 'typeorm') {
    methods.push(
      [`  async findById(id: string): Promise<${E} | null> {`, `    return this.repository.findOne({ where: { id } });`, `  }`],
      [
        `  async findMany(query: ${queryType}): Promise<${E}[]> {`,
        `    const qb = this.repository.createQueryBuilder('${model[0]}').orderBy('${model[0]}.createdAt', 'DESC');`,
        `    if (query.status) qb.andWhere('${model[0]}.status = :status', { status: query.status });`,
        `    return qb`,
        `      .skip(query.offset ?? 0)`,
        `      .take(Math.min(query.limit ?? 50, 200))`,
        `      .getMany();`,
        `  }`,
      ],
      [`  async count(status?: ${entity.statusEnum}): Promise<number> {`, `    return this.repository.count({ where: status ? { status } : {} });`, `  }`],
      [`  async create(data: Partial<${E}>): Promise<${E}> {`, `    const entity = this.repository.create(data);`, `    return this.repository.save(entity);`, `  }`],
      [
        `  async update(id: string, data: Partial<${E}>): Promise<${E}> {`,
        `    await this.repository.update(id, data);`,
        `    const updated = await this.repository.findOne({ where: { id } });`,
        `    if (!updated) throw new Error(\`${entity.moduleName} \${id} disappeared during update\`);`,
        `    return updated;`,
        `  }`,
      ],
      [`  async softDelete(id: string): Promise<void> {`, `    await this.repository.update(id, { status: ${entity.statusEnum}.${entity.statuses[entity.statuses.length - 1]} });`, `  }`],
      [
        `  async updateMany(ids: string[], data: Partial<${E}>): Promise<number> {`,
        `    const result = await this.repository`,
        `      .createQueryBuilder()`,
        `      .update()`,
        `      .set(data)`,
        `      .whereInIds(ids)`,
        `      .execute();`,
        `    return result.affected ?? 0;`,
        `  }`,
      ],
    );
    for (const field of entity.fields.slice(0, 4)) {
      if (field.nullable) continue;
      methods.push([`  async findBy${cap(field.name)}(value: ${tsType(field)}): Promise<${E}[]> {`, `    return this.repository.find({ where: { ${field.name}: value } as never });`, `  }`]);
    }
  } else {
    const fromRow = `${camel(entity.moduleName)}FromRow`;
    const toRow = `${camel(entity.moduleName)}ToRow`;
    methods.push(
      [
        `  async findById(id: string): Promise<${E} | null> {`,
        `    const row = await this.db<${E}Row>('${entity.table}').where({ id }).first();`,
        `    return row ? ${fromRow}(row) : null;`,
        `  }`,
      ],
      [
        `  async findMany(query: ${queryType}): Promise<${E}[]> {`,
        `    const builder = this.db<${E}Row>('${entity.table}').orderBy('created_at', 'desc');`,
        `    if (query.status) builder.where('status', query.status);`,
        `    const rows = await builder.offset(query.offset ?? 0).limit(Math.min(query.limit ?? 50, 200));`,
        `    return rows.map(${fromRow});`,
        `  }`,
      ],
      [
        `  async count(status?: ${entity.statusEnum}): Promise<number> {`,
        `    const builder = this.db('${entity.table}').count<{ count: string }[]>('id as count');`,
        `    if (status) builder.where({ status });`,
        `    const [{ count }] = await builder;`,
        `    return Number(count);`,
        `  }`,
      ],
      [
        `  async create(data: Partial<${E}>): Promise<${E}> {`,
        `    const [row] = await this.db<${E}Row>('${entity.table}').insert(${toRow}(data)).returning('*');`,
        `    return ${fromRow}(row);`,
        `  }`,
      ],
      [
        `  async update(id: string, data: Partial<${E}>): Promise<${E}> {`,
        `    const [row] = await this.db<${E}Row>('${entity.table}')`,
        `      .where({ id })`,
        `      .update({ ...${toRow}(data), updated_at: this.db.fn.now() })`,
        `      .returning('*');`,
        `    return ${fromRow}(row);`,
        `  }`,
      ],
      [`  async softDelete(id: string): Promise<void> {`, `    await this.db('${entity.table}').where({ id }).update({ status: ${entity.statusEnum}.${entity.statuses[entity.statuses.length - 1]} });`, `  }`],
      [
        `  async updateMany(ids: string[], data: Partial<${E}>): Promise<number> {`,
        `    return this.db.transaction(async (trx) => {`,
        `      const updated = await trx('${entity.table}').whereIn('id', ids).update(${toRow}(data));`,
        `      return updated;`,
        `    });`,
        `  }`,
      ],
    );
    for (const field of entity.fields.slice(0, 4)) {
      methods.push([
        `  async findBy${cap(field.name)}(value: ${tsType(field).replace(' | null', '')}): Promise<${E}[]> {`,
        `    const rows = await this.db<${E}Row>('${entity.table}').where('${snake(field.name)}', value as never);`,
        `    return rows.map(${fromRow});`,
        `  }`,
      ]);
    }
  }
  return { methods, extra: random.shuffle(methods.slice(7)) };
}

function ormImports(imports, spec, dbClientFile) {
  const { orm, framework } = spec.pkg;
  if (orm === 'prisma') {
    if (framework === 'nest') imports.value(imports.file(dbClientFile), 'PrismaService');
    else imports.type('@prisma/client', 'PrismaClient');
  } else if (orm === 'typeorm') {
    imports.type('typeorm', 'Repository');
    if (framework === 'nest') imports.value('@nestjs/typeorm', 'InjectRepository');
  } else {
    imports.type('knex', 'Knex');
  }
}

function ormConstructor(spec, E) {
  const { orm, framework } = spec.pkg;
  if (orm === 'prisma') return framework === 'nest' ? `  constructor(private readonly prisma: PrismaService) {}` : `  constructor(private readonly prisma: PrismaClient) {}`;
  if (orm === 'typeorm') {
    return framework === 'nest'
      ? `  constructor(@InjectRepository(${E}) private readonly repository: Repository<${E}>) {}`
      : `  constructor(private readonly repository: Repository<${E}>) {}`;
  }
  return `  constructor(private readonly db: Knex) {}`;
}

function renderRepository(spec, ctx) {
  const { entity } = spec.module;
  const E = entity.name;
  const imports = new Imports(spec.path);
  const entityFile = spec.module.files.entity.path;
  const dbClientFile = `packages/${spec.pkg.name}/src/db/client.ts`;
  ormImports(imports, spec, dbClientFile);
  if (spec.pkg.orm === 'typeorm') imports.value(imports.file(entityFile), E, entity.statusEnum);
  else imports.value(imports.file(entityFile), entity.statusEnum).type(imports.file(entityFile), E);
  if (spec.pkg.orm === 'knex') imports.value(imports.file(entityFile), `${camel(entity.moduleName)}FromRow`, `${camel(entity.moduleName)}ToRow`).type(imports.file(entityFile), `${E}Row`);
  if (spec.module.files.dtoQuery) imports.type(imports.file(spec.module.files.dtoQuery.path), `${E}Query`);
  if (spec.pkg.framework === 'nest') imports.value('@nestjs/common', 'Injectable');
  const { methods } = repositoryMethods(spec, ctx);
  const src = new Source();
  src.add(`/** Persistence of ${entity.plural} (${spec.pkg.orm}). */`, imports.render(), '');
  if (spec.pkg.framework === 'nest') src.add('@Injectable()');
  src.add(`export class ${E}Repository {`, ormConstructor(spec, E));
  for (const method of methods) {
    src.add('', method);
  }
  src.add('}');
  fillWith(src, entityHelperBlocks(entity, ctx.random), spec.target);
  return src;
}

function serviceMethodBlocks(spec, ctx, repo) {
  const { entity } = spec.module;
  const E = entity.name;
  const random = ctx.random;
  const notFound = spec.pkg.framework === 'nest' ? 'NotFoundException' : 'NotFoundError';
  const conflict = spec.pkg.framework === 'nest' ? 'ConflictException' : 'ConflictError';
  const transitions = `${upperSnake(entity.moduleName)}_TRANSITIONS`;
  const createType = spec.module.files.dtoCreate ? `Create${E}Dto` : `Omit<${E}, 'id' | 'createdAt' | 'updatedAt'>`;
  const updateType = spec.module.files.dtoUpdate ? `Update${E}Dto` : `Partial<${E}>`;
  const queryType = spec.module.files.dtoQuery ? `${E}Query` : `{ status?: ${entity.statusEnum}; limit?: number; offset?: number }`;
  const core = [
    [
      `  async getById(id: string): Promise<${E}> {`,
      `    const found = await ${repo}.findById(id);`,
      `    if (!found) throw new ${notFound}(\`${entity.moduleName} \${id} not found\`);`,
      `    return found;`,
      `  }`,
    ],
    [
      `  async list(query: ${queryType}): Promise<{ items: ${E}[]; total: number }> {`,
      `    const [items, total] = await Promise.all([${repo}.findMany(query), ${repo}.count(query.status)]);`,
      `    this.logger.debug({ count: items.length, total }, 'listed ${entity.plural}');`,
      `    return { items, total };`,
      `  }`,
    ],
    [
      `  async create(input: ${createType}): Promise<${E}> {`,
      ...(spec.module.files.validator ? [`    validate${E}(input);`] : []),
      `    const created = await ${repo}.create({`,
      `      ...input,`,
      `      status: ${entity.statusEnum}.${entity.statuses[0]},`,
      `    } as never);`,
      `    this.logger.info({ id: created.id }, 'created ${entity.moduleName.replace(/-/g, ' ')}');`,
      `    return created;`,
      `  }`,
    ],
    [
      `  async update(id: string, patch: ${updateType}): Promise<${E}> {`,
      `    const current = await this.getById(id);`,
      `    if (current.status === ${entity.statusEnum}.${entity.statuses[entity.statuses.length - 1]}) {`,
      `      throw new ${conflict}(\`${entity.moduleName} \${id} can no longer be changed\`);`,
      `    }`,
      `    const changes = Object.keys(patch).length;`,
      `    if (changes === 0) return current;`,
      `    return ${repo}.update(id, patch as Partial<${E}>);`,
      `  }`,
    ],
    [
      `  async transition(id: string, next: ${entity.statusEnum}): Promise<${E}> {`,
      `    const current = await this.getById(id);`,
      `    const allowed = ${transitions}[current.status];`,
      `    if (!allowed.includes(next)) {`,
      `      throw new ${conflict}(\`cannot move ${entity.moduleName} \${id} from \${current.status} to \${next}\`);`,
      `    }`,
      `    return ${repo}.update(id, { status: next } as Partial<${E}>);`,
      `  }`,
    ],
    [`  async remove(id: string): Promise<void> {`, `    await this.getById(id);`, `    await ${repo}.softDelete(id);`, `  }`],
  ];
  const extra = [
    [
      `  async bulkUpdate(ids: string[], patch: Partial<${E}>): Promise<number> {`,
      `    let updated = 0;`,
      `    for (let i = 0; i < ids.length; i += ${random.pick([50, 100, 250])}) {`,
      `      updated += await ${repo}.updateMany(ids.slice(i, i + ${random.pick([50, 100, 250])}), patch);`,
      `    }`,
      `    return updated;`,
      `  }`,
    ],
    [
      `  async exportCsv(query: ${queryType}): Promise<string> {`,
      `    const { items } = await this.list({ ...query, limit: 1000 });`,
      `    if (items.length === 0) return '';`,
      `    const header = Object.keys(items[0]);`,
      `    const lines = items.map((item) =>`,
      `      header.map((column) => JSON.stringify((item as unknown as Record<string, unknown>)[column] ?? '')).join(','),`,
      `    );`,
      `    return [header.join(','), ...lines].join('\\n');`,
      `  }`,
    ],
    [
      `  async statistics(): Promise<Record<string, number>> {`,
      `    const counts = new Map<string, number>();`,
      `    for (const status of Object.values(${entity.statusEnum})) {`,
      `      counts.set(status, await ${repo}.count(status));`,
      `    }`,
      `    const result: Record<string, number> = {};`,
      `    for (const status of counts.keys()) result[status.toLowerCase()] = counts.get(status) ?? 0;`,
      `    return result;`,
      `  }`,
    ],
    [
      `  async archiveStale(olderThanDays: number): Promise<string[]> {`,
      `    const cutoff = Date.now() - olderThanDays * 24 * 60 * 60 * 1000;`,
      `    const { items } = await this.list({ limit: 500 } as ${queryType});`,
      `    const stale = items.filter((item) => item.updatedAt.getTime() < cutoff);`,
      `    await Promise.all(stale.map((item) => ${repo}.softDelete(item.id)));`,
      `    return stale.map((item) => item.id);`,
      `  }`,
    ],
    [
      `  async ensureExists(ids: readonly string[]): Promise<void> {`,
      `    const missing: string[] = [];`,
      `    for (const id of new Set(ids)) {`,
      `      if (!(await ${repo}.findById(id))) missing.push(id);`,
      `    }`,
      `    if (missing.length > 0) throw new ${notFound}(\`unknown ${entity.plural}: \${missing.join(', ')}\`);`,
      `  }`,
    ],
    [
      `  async duplicate(id: string): Promise<${E}> {`,
      `    const source = await this.getById(id);`,
      `    const { id: _id, createdAt: _createdAt, updatedAt: _updatedAt, ...copy } = source;`,
      `    return ${repo}.create({ ...copy, status: ${entity.statusEnum}.${entity.statuses[0]} } as never);`,
      `  }`,
    ],
  ];
  for (const field of entity.fields) {
    if (field.kind === 'id' || field.kind === 'string') {
      extra.push([
        `  async findAllBy${cap(field.name)}(value: string): Promise<${E}[]> {`,
        `    const trimmed = value.trim();`,
        `    if (!trimmed) return [];`,
        `    const { items } = await this.list({ limit: 200 } as ${queryType});`,
        `    return items.filter((item) => item.${field.name} === trimmed);`,
        `  }`,
      ]);
    } else if (field.kind === 'int' || field.kind === 'float') {
      extra.push([
        `  async adjust${cap(field.name)}(id: string, delta: number): Promise<${E}> {`,
        `    const current = await this.getById(id);`,
        `    const next = (current.${field.name} ?? 0) + delta;`,
        `    if (next < 0) throw new ${conflict}(\`${field.name} of ${entity.moduleName} \${id} would become negative\`);`,
        `    return ${repo}.update(id, { ${field.name}: next } as Partial<${E}>);`,
        `  }`,
      ]);
    } else if (field.kind === 'date') {
      extra.push([
        `  async reschedule${cap(field.name)}(id: string, when: Date): Promise<${E}> {`,
        `    if (Number.isNaN(when.getTime())) throw new RangeError('invalid date');`,
        `    const current = await this.getById(id);`,
        `    if (current.${field.name} && current.${field.name}.getTime() === when.getTime()) return current;`,
        `    return ${repo}.update(id, { ${field.name}: when } as Partial<${E}>);`,
        `  }`,
      ]);
    } else if (field.kind === 'bool') {
      extra.push([
        `  async toggle${cap(field.name)}(id: string): Promise<${E}> {`,
        `    const current = await this.getById(id);`,
        `    return ${repo}.update(id, { ${field.name}: !current.${field.name} } as Partial<${E}>);`,
        `  }`,
      ]);
    } else if (field.kind === 'record') {
      extra.push([
        `  async merge${cap(field.name)}(id: string, values: Record<string, unknown>): Promise<${E}> {`,
        `    const current = await this.getById(id);`,
        `    const merged = { ...current.${field.name} };`,
        `    for (const key of Object.keys(values)) {`,
        `      if (values[key] === null) delete merged[key];`,
        `      else merged[key] = values[key];`,
        `    }`,
        `    return ${repo}.update(id, { ${field.name}: merged } as Partial<${E}>);`,
        `  }`,
      ]);
    } else if (field.kind === 'strings') {
      extra.push([
        `  async add${cap(field.name)}(id: string, values: string[]): Promise<${E}> {`,
        `    const current = await this.getById(id);`,
        `    const next = [...new Set([...current.${field.name}, ...values.map((v) => v.trim()).filter(Boolean)])];`,
        `    return ${repo}.update(id, { ${field.name}: next } as Partial<${E}>);`,
        `  }`,
      ]);
    }
  }
  return { core, extra: random.shuffle(extra) };
}

function crossPackageUse(spec, ctx, imports) {
  // Services reach into a sibling package's public API now and then, as monorepo code does.
  const others = ctx.plan.packages.filter((pkg) => !pkg.common && pkg !== spec.pkg && pkg.modules.length > 0);
  if (others.length === 0 || !ctx.random.chance(0.35)) return [];
  const other = ctx.random.pick(others);
  const module = ctx.random.pick(other.modules);
  const O = module.entity.name;
  imports.type(`@acme/${other.name}`, O);
  return [
    [
      `  describeRelated(related: Pick<${O}, 'id' | 'status' | 'updatedAt'>): string {`,
      `    return \`\${related.id} (\${related.status}, updated \${related.updatedAt.toISOString()})\`;`,
      `  }`,
    ],
  ];
}

function renderService(spec, ctx) {
  const { entity } = spec.module;
  const E = entity.name;
  const imports = new Imports(spec.path);
  const entityFile = spec.module.files.entity.path;
  imports.value(imports.file(entityFile), entity.statusEnum, `${upperSnake(entity.moduleName)}_TRANSITIONS`).type(imports.file(entityFile), E);
  imports.value(imports.file(spec.module.files.repository.path), `${E}Repository`);
  if (spec.module.files.dtoCreate) imports.type(imports.file(spec.module.files.dtoCreate.path), `Create${E}Dto`);
  if (spec.module.files.dtoUpdate) imports.type(imports.file(spec.module.files.dtoUpdate.path), `Update${E}Dto`);
  if (spec.module.files.dtoQuery) imports.type(imports.file(spec.module.files.dtoQuery.path), `${E}Query`);
  if (spec.module.files.validator) imports.value(imports.file(spec.module.files.validator.path), `validate${E}`);
  imports.value('@acme/platform-common', 'createLogger');
  if (spec.pkg.framework === 'nest') imports.value('@nestjs/common', 'ConflictException', 'Injectable', 'NotFoundException');
  else imports.value(imports.file(`packages/${spec.pkg.name}/src/common/http-errors.ts`), 'ConflictError', 'NotFoundError');
  const { core, extra } = serviceMethodBlocks(spec, ctx, 'this.repository');
  const cross = crossPackageUse(spec, ctx, imports);
  const src = new Source();
  src.add(`/** Business rules for ${entity.plural}: validation, state transitions and bulk operations. */`, imports.render(), '');
  if (spec.pkg.framework === 'nest') src.add('@Injectable()');
  src.add(`export class ${E}Service {`, `  private readonly logger = createLogger('${spec.pkg.name}:${entity.moduleName}');`, '', `  constructor(private readonly repository: ${E}Repository) {}`);
  for (const method of core) src.add('', method);
  for (const method of [...cross, ...extra]) {
    if (src.length >= spec.target - 3) break;
    src.add('', method);
  }
  src.add('}');
  fillWith(src, entityHelperBlocks(entity, ctx.random), spec.target);
  return src;
}

// --- cache-touching files --------------------------------------------------------------------

function cacheKeyHelpers(pkg) {
  return pkg.modules.slice(0, 6).map((module) => ({
    name: `${module.entity.camelName}Key`,
    prefix: module.entity.moduleName.replace(/-/g, ':'),
    module,
  }));
}

function renderCacheClient(spec) {
  const src = new Source();
  const envFile = `packages/${spec.pkg.name}/src/config/env.ts`;
  const imports = new Imports(spec.path);
  imports.defaultImport('ioredis', 'Redis');
  imports.value(imports.file(envFile), 'env');
  imports.value('@acme/platform-common', 'createLogger');
  src.add(
    `/**`,
    ` * The ${spec.pkg.name} service's Redis connection. Modules import it through \`../cache\` so there is one`,
    ` * connection per process and one place to tune retries.`,
    ` */`,
    imports.render(),
    '',
    `const logger = createLogger('${spec.pkg.name}:redis');`,
    '',
    `export const redis = new Redis(env.REDIS_URL, {`,
    `  keyPrefix: '${spec.pkg.name}:',`,
    `  maxRetriesPerRequest: 3,`,
    `  enableAutoPipelining: true,`,
    `  retryStrategy: (attempt) => Math.min(attempt * 200, 5000),`,
    `});`,
    '',
    `redis.on('error', (error) => {`,
    `  logger.error({ error }, 'redis connection error');`,
    `});`,
    '',
    `redis.on('reconnecting', (delay: number) => {`,
    `  logger.warn({ delay }, 'redis reconnecting');`,
    `});`,
    '',
    `export async function closeRedis(): Promise<void> {`,
    `  if (redis.status === 'end') return;`,
    `  await redis.quit();`,
    `}`,
    '',
    `export async function pingRedis(): Promise<boolean> {`,
    `  try {`,
    `    return (await redis.ping()) === 'PONG';`,
    `  } catch {`,
    `    return false;`,
    `  }`,
    `}`,
  );
  return src;
}

function renderCacheIndex(spec) {
  return new Source().add(
    `export { redis, closeRedis, pingRedis } from './client';`,
    `export * from './keys';`,
    '',
    `/** Spreads expiries so keys written together do not all expire in the same second. */`,
    `export function ttlWithJitter(seconds: number, spread = 0.1): number {`,
    `  return Math.round(seconds * (1 + (Math.random() * 2 - 1) * spread));`,
    `}`,
  );
}

function renderCacheKeys(spec) {
  const src = new Source();
  src.add(`/** Key layout of the ${spec.pkg.name} cache. Every key family is built here, never inline. */`, '');
  for (const helper of cacheKeyHelpers(spec.pkg)) {
    src.add(`export const ${helper.name} = (id: string): string => \`${helper.prefix}:\${id}\`;`);
    src.add(`export const ${helper.name.replace(/Key$/, 'ListKey')} = (page: number): string => \`${helper.prefix}:list:\${page}\`;`);
  }
  src.add('', `export const ${upperSnake(spec.pkg.name)}_SUMMARY_KEY = '${spec.pkg.name}:summary';`);
  return src;
}

function cacheFlavour(spec, imports) {
  const { entity } = spec.module;
  const keyName = `${entity.camelName}Key`;
  const prefix = entity.moduleName.replace(/-/g, ':');
  const nest = spec.pkg.framework === 'nest';
  const flavour = spec.flavour;
  // Every flavour describes: how the client is obtained, and how each operation is spelled.
  if (flavour === 'project') {
    const cacheIndex = `packages/${spec.pkg.name}/src/cache/index.ts`;
    const helpers = cacheKeyHelpers(spec.pkg);
    const hasHelper = helpers.some((helper) => helper.module === spec.module);
    imports.value(imports.file(cacheIndex), 'redis', 'ttlWithJitter', ...(hasHelper ? [keyName] : []));
    return {
      header: hasHelper ? [] : [`const ${keyName} = (id: string): string => \`${prefix}:\${id}\`;`, ''],
      field: [],
      client: 'redis',
      keyName,
      prefix,
      get: (key) => `await redis.get(${key})`,
      setNoTtl: (key, value) => `await redis.set(${key}, ${value});`,
      setConstTtl: (key, value) => `await redis.set(${key}, ${value}, 'EX', ${upperSnake(entity.moduleName)}_TTL_SECONDS);`,
      setJitter: (key, value) => `await redis.set(${key}, ${value}, 'EX', ttlWithJitter(${upperSnake(entity.moduleName)}_TTL_SECONDS));`,
      del: (key) => `await redis.del(${key});`,
      keys: (pattern) => `await redis.keys(${pattern})`,
      delMany: (list) => `await redis.del(...${list});`,
      serialise: true,
    };
  }
  if (flavour === 'ioredis') {
    if (nest) {
      imports.defaultImport('ioredis', 'Redis');
      imports.value('@nestjs-modules/ioredis', 'InjectRedis');
    } else {
      imports.defaultImport('ioredis', 'Redis');
    }
    const client = nest ? 'this.redis' : 'redis';
    return {
      header: nest
        ? [`const ${keyName} = (id: string): string => \`${prefix}:\${id}\`;`, '']
        : [`const redis = new Redis(process.env.REDIS_URL ?? 'redis://localhost:6379');`, `const ${keyName} = (id: string): string => \`${prefix}:\${id}\`;`, ''],
      field: nest ? [`@InjectRedis() private readonly redis: Redis`] : [],
      client,
      keyName,
      prefix,
      get: (key) => `await ${client}.get(${key})`,
      setNoTtl: (key, value) => `await ${client}.set(${key}, ${value});`,
      setConstTtl: (key, value) => `await ${client}.setex(${key}, ${upperSnake(entity.moduleName)}_TTL_SECONDS, ${value});`,
      setJitter: (key, value) => `await ${client}.set(${key}, ${value}, 'EX', ${upperSnake(entity.moduleName)}_TTL_SECONDS + Math.floor(Math.random() * 60));`,
      del: (key) => `await ${client}.del(${key});`,
      keys: (pattern) => `await ${client}.keys(${pattern})`,
      delMany: (list) => `await ${client}.del(...${list});`,
      serialise: true,
    };
  }
  if (flavour === 'node-redis') {
    imports.value('redis', 'createClient');
    return {
      header: [
        `const client = createClient({ url: process.env.REDIS_URL });`,
        `client.on('error', (error) => console.error('redis client error', error));`,
        `const connected = client.connect();`,
        `const ${keyName} = (id: string): string => \`${prefix}:\${id}\`;`,
        '',
      ],
      field: [],
      client: 'client',
      keyName,
      prefix,
      before: `    await connected;`,
      get: (key) => `await client.get(${key})`,
      setNoTtl: (key, value) => `await client.set(${key}, ${value});`,
      setConstTtl: (key, value) => `await client.set(${key}, ${value}, { EX: ${upperSnake(entity.moduleName)}_TTL_SECONDS });`,
      setJitter: (key, value) => `await client.set(${key}, ${value}, { EX: ${upperSnake(entity.moduleName)}_TTL_SECONDS + Math.floor(Math.random() * 120) });`,
      del: (key) => `await client.del(${key});`,
      keys: (pattern) => `await client.keys(${pattern})`,
      delMany: (list) => `await client.del(${list});`,
      serialise: true,
    };
  }
  // cache-manager, either created here or injected by Nest.
  const injected = flavour === 'nest-cache-manager';
  if (injected) {
    imports.value('@nestjs/cache-manager', 'CACHE_MANAGER');
    imports.value('@nestjs/common', 'Inject');
    imports.type('cache-manager', 'Cache');
  } else {
    imports.value('cache-manager', 'createCache');
  }
  const client = injected ? 'this.cache' : 'cache';
  return {
    header: injected
      ? [`const ${keyName} = (id: string): string => \`${prefix}:\${id}\`;`, '']
      : [`const cache = createCache({ ttl: 60_000 });`, `const ${keyName} = (id: string): string => \`${prefix}:\${id}\`;`, ''],
    field: injected ? [`@Inject(CACHE_MANAGER) private readonly cache: Cache`] : [],
    client,
    keyName,
    prefix,
    get: (key) => `await ${client}.get<${entity.name}>(${key})`,
    setNoTtl: (key, value) => `await ${client}.set(${key}, ${value}, 0);`,
    setConstTtl: (key, value) => `await ${client}.set(${key}, ${value}, ${upperSnake(entity.moduleName)}_TTL_SECONDS * 1000);`,
    setJitter: (key, value) => `await ${client}.set(${key}, ${value}, (${upperSnake(entity.moduleName)}_TTL_SECONDS + Math.random() * 60) * 1000);`,
    del: (key) => `await ${client}.del(${key});`,
    keys: undefined,
    delMany: (list) => `await ${client}.mdel(${list});`,
    serialise: false,
  };
}

/** How a cached service that skips the repository class reaches the database itself. */
function directOrmAccess(spec, imports) {
  const { entity } = spec.module;
  const E = entity.name;
  const nest = spec.pkg.framework === 'nest';
  const dbClient = imports.file(`packages/${spec.pkg.name}/src/db/client.ts`);
  const entityFile = imports.file(spec.module.files.entity.path);
  if (spec.pkg.orm === 'prisma') {
    const model = nest ? `this.prisma.${entity.camelName}` : `prisma.${entity.camelName}`;
    imports.value(dbClient, nest ? 'PrismaService' : 'prisma');
    return {
      ctorParams: nest ? ['private readonly prisma: PrismaService'] : [],
      fields: [],
      findById: (id) => [`    const found = (await ${model}.findUnique({ where: { id } })) as ${E} | null;`],
      findPage: (offset, limit) => [`    const items = (await ${model}.findMany({ orderBy: { createdAt: 'desc' }, skip: ${offset}, take: ${limit} })) as ${E}[];`],
      update: (id, patch) => [`    const updated = (await ${model}.update({ where: { id }, data: ${patch} })) as ${E};`],
      remove: (id) => [`    await ${model}.delete({ where: { id } });`],
    };
  }
  if (spec.pkg.orm === 'typeorm') {
    imports.value(entityFile, E);
    imports.type('typeorm', 'Repository');
    if (nest) imports.value('@nestjs/typeorm', 'InjectRepository');
    else imports.value(dbClient, 'dataSource');
    return {
      ctorParams: nest ? [`@InjectRepository(${E}) private readonly entities: Repository<${E}>`] : [],
      fields: nest ? [] : [`  private readonly entities: Repository<${E}> = dataSource.getRepository(${E});`],
      findById: (id) => [`    const found = await this.entities.findOneBy({ id });`],
      findPage: (offset, limit) => [`    const items = await this.entities.find({ order: { createdAt: 'DESC' }, skip: ${offset}, take: ${limit} });`],
      update: (id, patch) => [`    await this.entities.update(${id}, ${patch} as never);`, `    const updated = await this.entities.findOneByOrFail({ id });`],
      remove: (id) => [`    await this.entities.delete(${id});`],
    };
  }
  const fromRow = `${camel(entity.moduleName)}FromRow`;
  const toRow = `${camel(entity.moduleName)}ToRow`;
  imports.value(dbClient, 'db');
  imports.value(entityFile, fromRow, toRow);
  return {
    ctorParams: [],
    fields: [],
    findById: (id) => [`    const row = await db('${entity.table}').where({ id }).first();`, `    const found = row ? ${fromRow}(row) : null;`],
    findPage: (offset, limit) => [`    const rows = await db('${entity.table}').orderBy('created_at', 'desc').offset(${offset}).limit(${limit});`, `    const items = rows.map(${fromRow});`],
    update: (id, patch) => [`    const [row] = await db('${entity.table}').where({ id }).update(${toRow}(${patch} as Partial<${E}>)).returning('*');`, `    const updated = ${fromRow}(row);`],
    remove: (id) => [`    await db('${entity.table}').where({ id }).del();`],
  };
}

/** The same operations through the module's repository class. */
function repositoryAccess(spec) {
  const E = spec.module.entity.name;
  return {
    ctorParams: [],
    fields: [],
    findById: (id) => [`    const found = await this.repository.findById(${id});`],
    findPage: (offset, limit) => [`    const items = await this.repository.findMany({ offset: ${offset}, limit: ${limit} } as never);`],
    update: (id, patch) => [`    const updated = await this.repository.update(${id}, ${patch} as Partial<${E}>);`],
    remove: (id) => [`    await this.repository.softDelete(${id});`],
  };
}

function renderCachedService(spec, ctx) {
  const { entity } = spec.module;
  const E = entity.name;
  const random = ctx.random;
  const imports = new Imports(spec.path);
  const nest = spec.pkg.framework === 'nest';
  const entityFile = spec.module.files.entity.path;
  imports.value(imports.file(entityFile), entity.statusEnum, `${upperSnake(entity.moduleName)}_TRANSITIONS`).type(imports.file(entityFile), E);
  imports.value(imports.file(spec.module.files.repository.path), `${E}Repository`);
  if (spec.module.files.dtoCreate) imports.type(imports.file(spec.module.files.dtoCreate.path), `Create${E}Dto`);
  if (spec.module.files.dtoUpdate) imports.type(imports.file(spec.module.files.dtoUpdate.path), `Update${E}Dto`);
  if (spec.module.files.dtoQuery) imports.type(imports.file(spec.module.files.dtoQuery.path), `${E}Query`);
  if (spec.module.files.validator) imports.value(imports.file(spec.module.files.validator.path), `validate${E}`);
  imports.value('@acme/platform-common', 'createLogger');
  if (nest) imports.value('@nestjs/common', 'ConflictException', 'Injectable', 'NotFoundException');
  else imports.value(imports.file(`packages/${spec.pkg.name}/src/common/http-errors.ts`), 'ConflictError', 'NotFoundError');
  const cache = cacheFlavour(spec, imports);
  const db = spec.directOrm ? directOrmAccess(spec, imports) : repositoryAccess(spec);
  const ttlConst = `${upperSnake(entity.moduleName)}_TTL_SECONDS`;
  const anti = spec.antiPatterns;
  const encode = (value) => (cache.serialise ? `JSON.stringify(${value})` : value);
  const decode = (value) => (cache.serialise ? `JSON.parse(${value}) as ${E}` : value);
  const before = cache.before ? [cache.before] : [];
  const updateType = spec.module.files.dtoUpdate ? `Update${E}Dto` : `Partial<${E}>`;
  const notFound = nest ? 'NotFoundException' : 'NotFoundError';
  const setFilled = (key, value) => (anti.has('constant-ttl') ? cache.setConstTtl(key, value) : cache.setJitter(key, value));
  // A prefix of its own, so no pattern over the item family can be read as covering it.
  const pageKey = (page) => `\`${plural(entity.moduleName)}:page:\${${page}}\``;

  const cacheMethods = [];
  cacheMethods.push([
    `  async getById(id: string): Promise<${E}> {`,
    ...before,
    `    const key = ${cache.keyName}(id);`,
    `    const cached = ${cache.get('key')};`,
    `    if (cached) return ${decode('cached')};`,
    '',
    ...db.findById('id'),
    `    if (!found) throw new ${notFound}(\`${entity.moduleName} \${id} not found\`);`,
    `    ${setFilled('key', encode('found'))}`,
    `    return found;`,
    `  }`,
  ]);
  if (spec.directOrm) {
    // A second key family filled from the same table; writes below forget it unless told otherwise.
    cacheMethods.push([
      `  async getPage(page: number, size = ${random.pick([20, 25, 50])}): Promise<${E}[]> {`,
      ...before,
      `    const cached = ${cache.serialise ? `${cache.get(pageKey('page'))}` : cache.get(pageKey('page')).replace(`<${E}>`, `<${E}[]>`)};`,
      cache.serialise ? `    if (cached) return JSON.parse(cached) as ${E}[];` : `    if (cached) return cached;`,
      ...db.findPage('page * size', 'size'),
      `    ${setFilled(pageKey('page'), encode('items'))}`,
      `    return items;`,
      `  }`,
    ]);
  }
  if (anti.has('set-after-update')) {
    cacheMethods.push([
      `  async update(id: string, patch: ${updateType}): Promise<${E}> {`,
      ...before,
      `    await this.getById(id);`,
      ...db.update('id', 'patch'),
      `    // Refresh the cached copy so readers see the change immediately.`,
      `    ${anti.has('no-ttl') ? cache.setNoTtl(`${cache.keyName}(id)`, encode('updated')) : cache.setJitter(`${cache.keyName}(id)`, encode('updated'))}`,
      `    return updated;`,
      `  }`,
    ]);
  } else {
    cacheMethods.push([
      `  async update(id: string, patch: ${updateType}): Promise<${E}> {`,
      ...before,
      `    await this.getById(id);`,
      ...db.update('id', 'patch'),
      `    ${cache.del(`${cache.keyName}(id)`)}`,
      `    return updated;`,
      `  }`,
    ]);
  }
  if (anti.has('no-ttl')) {
    cacheMethods.push([
      `  async remember${E}Summary(id: string): Promise<string> {`,
      ...before,
      `    const item = await this.getById(id);`,
      `    const summary = \`\${item.id}:\${item.status}:\${item.updatedAt.toISOString()}\`;`,
      `    ${cache.setNoTtl(`\`${cache.prefix}:summary:\${id}\``, 'summary')}`,
      `    return summary;`,
      `  }`,
    ]);
  }
  if (anti.has('keys') && cache.keys) {
    cacheMethods.push([
      `  async invalidateAll(): Promise<number> {`,
      ...before,
      `    const keys = ${cache.keys(`'${cache.prefix}:*'`)};`,
      `    if (keys.length === 0) return 0;`,
      `    ${cache.delMany('keys')}`,
      `    this.logger.info({ count: keys.length }, 'invalidated ${entity.plural}');`,
      `    return keys.length;`,
      `  }`,
    ]);
  }
  cacheMethods.push([
    `  async remove(id: string): Promise<void> {`,
    ...before,
    ...db.remove('id'),
    `    ${cache.del(`${cache.keyName}(id)`)}`,
    `  }`,
  ]);
  cacheMethods.push([
    `  async warm(ids: readonly string[]): Promise<void> {`,
    ...before,
    `    for (const id of ids) {`,
    `      const item = await this.repository.findById(id);`,
    `      if (!item) continue;`,
    `      ${setFilled(`${cache.keyName}(id)`, encode('item'))}`,
    `    }`,
    `  }`,
  ]);

  const { core, extra } = serviceMethodBlocks(spec, ctx, 'this.repository');
  // The cache-aware versions replace the plain getById/update/remove.
  const plain = core.filter((method) => !/async (getById|update|remove)\(/.test(method[0]));
  const src = new Source();
  src.add(`/** ${E} reads are cached (cache-aside); writes go to the database first. */`, imports.render(), '', `const ${ttlConst} = ${random.pick([300, 600, 900, 3600, 86400])};`, cache.header.length > 0 ? cache.header : ['']);
  if (nest) src.add('@Injectable()');
  const ctorParams = [`private readonly repository: ${E}Repository`, ...db.ctorParams, ...cache.field];
  // The module's spec file is rendered after this one and constructs the service with as many arguments.
  spec.module.serviceArity = ctorParams.length;
  src.add(`export class ${E}Service {`, `  private readonly logger = createLogger('${spec.pkg.name}:${entity.moduleName}');`, ...db.fields, '');
  if (ctorParams.length === 1) src.add(`  constructor(${ctorParams[0]}) {}`);
  else src.add(`  constructor(`, ...ctorParams.map((param) => `    ${param},`), `  ) {}`);
  for (const method of [...cacheMethods, ...plain]) src.add('', method);
  for (const method of extra) {
    if (src.length >= spec.target - 3) break;
    src.add('', method);
  }
  src.add('}');
  return src;
}

function renderCacheAdmin(spec, ctx) {
  const imports = new Imports(spec.path);
  const cacheIndex = `packages/${spec.pkg.name}/src/cache/index.ts`;
  imports.value(imports.file(cacheIndex), 'redis');
  const nest = spec.pkg.framework === 'nest';
  const prefixes = cacheKeyHelpers(spec.pkg).map((helper) => helper.prefix);
  const src = new Source();
  src.add(`/** Operator endpoints to inspect and flush the ${spec.pkg.name} cache. */`);
  if (nest) {
    imports.value('@nestjs/common', 'Controller', 'Delete', 'Get', 'Param', 'UseGuards');
    imports.value(imports.file(`packages/${spec.pkg.name}/src/common/auth.guard.ts`), 'AuthGuard');
    src.add(imports.render(), '', `const FAMILIES = [${prefixes.map((p) => `'${p}'`).join(', ')}] as const;`, '');
    src.add(`@Controller('ops/cache')`, `@UseGuards(AuthGuard)`, `export class CacheAdminController {`);
    src.add(
      `  @Get('families')`,
      `  async families(): Promise<Record<string, number>> {`,
      `    const sizes: Record<string, number> = {};`,
      `    for (const family of FAMILIES) {`,
      `      const keys = await redis.keys(\`\${family}:*\`);`,
      `      sizes[family] = keys.length;`,
      `    }`,
      `    return sizes;`,
      `  }`,
      '',
      `  @Delete(':family')`,
      `  async flush(@Param('family') family: string): Promise<{ deleted: number }> {`,
      `    if (!FAMILIES.includes(family as (typeof FAMILIES)[number])) return { deleted: 0 };`,
      `    const keys = await redis.keys(\`\${family}:*\`);`,
      `    if (keys.length > 0) await redis.del(...keys);`,
      `    return { deleted: keys.length };`,
      `  }`,
      '',
      `  @Get('ping')`,
      `  async ping(): Promise<{ ok: boolean; latencyMs: number }> {`,
      `    const started = Date.now();`,
      `    const reply = await redis.ping();`,
      `    return { ok: reply === 'PONG', latencyMs: Date.now() - started };`,
      `  }`,
      `}`,
    );
  } else {
    imports.value('express', 'Router');
    imports.value(imports.file(`packages/${spec.pkg.name}/src/middleware/async-handler.ts`), 'asyncHandler');
    imports.value(imports.file(`packages/${spec.pkg.name}/src/middleware/auth.ts`), 'requireRole');
    src.add(imports.render(), '', `const FAMILIES = new Set([${prefixes.map((p) => `'${p}'`).join(', ')}]);`, '');
    src.add(
      `export function createCacheAdminRouter(): Router {`,
      `  const router = Router();`,
      `  router.use(requireRole('ops'));`,
      '',
      `  router.get(`,
      `    '/families',`,
      `    asyncHandler(async (_req, res) => {`,
      `      const sizes: Record<string, number> = {};`,
      `      for (const family of FAMILIES) sizes[family] = (await redis.keys(\`\${family}:*\`)).length;`,
      `      res.json(sizes);`,
      `    }),`,
      `  );`,
      '',
      `  router.delete(`,
      `    '/:family',`,
      `    asyncHandler(async (req, res) => {`,
      `      const family = req.params.family;`,
      `      if (!FAMILIES.has(family)) {`,
      `        res.status(404).json({ error: \`unknown cache family \${family}\` });`,
      `        return;`,
      `      }`,
      `      const keys = await redis.keys(\`\${family}:*\`);`,
      `      if (keys.length > 0) await redis.del(...keys);`,
      `      res.json({ deleted: keys.length });`,
      `    }),`,
      `  );`,
      '',
      `  router.get(`,
      `    '/ping',`,
      `    asyncHandler(async (_req, res) => {`,
      `      const started = Date.now();`,
      `      res.json({ ok: (await redis.ping()) === 'PONG', latencyMs: Date.now() - started });`,
      `    }),`,
      `  );`,
      `  return router;`,
      `}`,
    );
  }
  fillWith(src, genericHelperBlocks('cacheAdmin', ctx.random), spec.target);
  return src;
}

function renderCacheJob(spec, ctx) {
  const imports = new Imports(spec.path);
  const cacheIndex = `packages/${spec.pkg.name}/src/cache/index.ts`;
  const helpers = cacheKeyHelpers(spec.pkg);
  imports.value(imports.file(cacheIndex), 'redis', ...helpers.map((helper) => helper.name));
  imports.value('@acme/platform-common', 'createLogger');
  const src = new Source();
  src.add(`/** Fills the hottest ${spec.pkg.name} keys after a deploy so the first requests do not all miss. */`, imports.render(), '');
  src.add(`const logger = createLogger('${spec.pkg.name}:cache-warmup');`, `const WARMUP_TTL_SECONDS = ${ctx.random.pick([600, 1800, 3600])};`, '');
  src.add(`export interface WarmupSource {`, `  hottestIds(family: string, limit: number): Promise<string[]>;`, `  load(family: string, id: string): Promise<unknown>;`, `}`, '');
  src.add(`export async function warmCache(source: WarmupSource, limit = ${ctx.random.pick([100, 250, 500])}): Promise<number> {`, `  let written = 0;`);
  for (const helper of helpers.slice(0, 3)) {
    src.add(
      `  for (const id of await source.hottestIds('${helper.prefix}', limit)) {`,
      `    const value = await source.load('${helper.prefix}', id);`,
      `    if (value === undefined) continue;`,
      `    await redis.set(${helper.name}(id), JSON.stringify(value), 'EX', WARMUP_TTL_SECONDS);`,
      `    written++;`,
      `  }`,
    );
  }
  src.add(`  logger.info({ written }, 'cache warmed');`, `  return written;`, `}`, '');
  src.add(
    `export async function markWarmupDone(release: string): Promise<void> {`,
    `  await redis.set('warmup:last-release', release);`,
    `}`,
  );
  fillWith(src, genericHelperBlocks('warmup', ctx.random), spec.target);
  return src;
}

// --- ordinary files ----------------------------------------------------------------------------

function renderController(spec, ctx) {
  const { entity } = spec.module;
  const E = entity.name;
  const imports = new Imports(spec.path);
  const serviceFile = spec.module.files.service.path;
  imports.value(imports.file(serviceFile), `${E}Service`);
  const entityFile = spec.module.files.entity.path;
  imports.value(imports.file(entityFile), entity.statusEnum).type(imports.file(entityFile), E);
  const createType = spec.module.files.dtoCreate ? `Create${E}Dto` : `Omit<${E}, 'id' | 'createdAt' | 'updatedAt'>`;
  const updateType = spec.module.files.dtoUpdate ? `Update${E}Dto` : `Partial<${E}>`;
  const queryType = spec.module.files.dtoQuery ? `${E}Query` : `{ status?: ${entity.statusEnum}; limit?: number; offset?: number }`;
  const mapper = spec.module.files.mapper ? `to${E}Response` : undefined;
  if (mapper) imports.value(imports.file(spec.module.files.mapper.path), mapper);
  const present = (expr) => (mapper ? `${mapper}(${expr})` : expr);
  const route = plural(entity.moduleName);
  const src = new Source();
  const numericFields = entity.fields.filter((field) => field.kind === 'int' || field.kind === 'float');
  const dateFields = entity.fields.filter((field) => field.kind === 'date');
  const boolFields = entity.fields.filter((field) => field.kind === 'bool');
  if (spec.pkg.framework === 'nest') {
    imports.value('@nestjs/common', 'Body', 'Controller', 'Delete', 'Get', 'HttpCode', 'Param', 'Patch', 'Post', 'Query', 'UseGuards');
    imports.value(imports.file(`packages/${spec.pkg.name}/src/common/auth.guard.ts`), 'AuthGuard');
    if (spec.module.files.dtoCreate) imports.value(imports.file(spec.module.files.dtoCreate.path), `Create${E}Dto`);
    if (spec.module.files.dtoUpdate) imports.value(imports.file(spec.module.files.dtoUpdate.path), `Update${E}Dto`);
    if (spec.module.files.dtoQuery) imports.value(imports.file(spec.module.files.dtoQuery.path), `${E}Query`);
    src.add(`/** HTTP API for ${entity.plural}. */`, imports.render(), '', `@Controller('${route}')`, `@UseGuards(AuthGuard)`, `export class ${E}Controller {`, `  constructor(private readonly service: ${E}Service) {}`);
    const endpoints = [
      [`  @Get()`, `  async list(@Query() query: ${queryType}) {`, `    const { items, total } = await this.service.list(query);`, `    return { items: items.map((item) => ${present('item')}), total };`, `  }`],
      [`  @Get(':id')`, `  async get(@Param('id') id: string) {`, `    return ${present('await this.service.getById(id)')};`, `  }`],
      [`  @Post()`, `  async create(@Body() body: ${createType}) {`, `    const created = await this.service.create(body);`, `    return ${present('created')};`, `  }`],
      [`  @Patch(':id')`, `  async update(@Param('id') id: string, @Body() body: ${updateType}) {`, `    return ${present('await this.service.update(id, body)')};`, `  }`],
      [`  @Delete(':id')`, `  @HttpCode(204)`, `  async remove(@Param('id') id: string): Promise<void> {`, `    await this.service.remove(id);`, `  }`],
    ];
    const extraEndpoints = [];
    for (const status of entity.statuses.slice(1)) {
      extraEndpoints.push([`  @Post(':id/${status.toLowerCase()}')`, `  async mark${cap(status.toLowerCase())}(@Param('id') id: string) {`, `    return ${present(`await this.service.transition(id, ${entity.statusEnum}.${status})`)};`, `  }`]);
    }
    for (const field of numericFields) {
      extraEndpoints.push([
        `  @Post(':id/${snake(field.name).replace(/_/g, '-')}/adjust')`,
        `  async adjust${cap(field.name)}(@Param('id') id: string, @Body('delta') delta: number) {`,
        `    if (!Number.isFinite(delta)) throw new Error('delta must be a number');`,
        `    return ${present(`await this.service.update(id, { ${field.name}: delta } as never)`)};`,
        `  }`,
      ]);
    }
    for (const field of dateFields) {
      extraEndpoints.push([
        `  @Patch(':id/${snake(field.name).replace(/_/g, '-')}')`,
        `  async set${cap(field.name)}(@Param('id') id: string, @Body('value') value: string) {`,
        `    const when = new Date(value);`,
        `    if (Number.isNaN(when.getTime())) throw new Error(\`invalid date: \${value}\`);`,
        `    return ${present(`await this.service.update(id, { ${field.name}: when } as never)`)};`,
        `  }`,
      ]);
    }
    for (const field of boolFields) {
      extraEndpoints.push([`  @Post(':id/${snake(field.name).replace(/_/g, '-')}/toggle')`, `  async toggle${cap(field.name)}(@Param('id') id: string) {`, `    const current = await this.service.getById(id);`, `    return ${present(`await this.service.update(id, { ${field.name}: !current.${field.name} } as never)`)};`, `  }`]);
    }
    extraEndpoints.push([`  @Get(':id/history')`, `  async history(@Param('id') id: string, @Query('limit') limit = '20') {`, `    const item = await this.service.getById(id);`, `    const max = Math.min(Number.parseInt(limit, 10) || 20, 100);`, `    return { id: item.id, status: item.status, updatedAt: item.updatedAt, limit: max };`, `  }`]);
    for (const endpoint of endpoints) src.add('', endpoint);
    for (const endpoint of ctx.random.shuffle(extraEndpoints)) {
      if (src.length >= spec.target - 3) break;
      src.add('', endpoint);
    }
    src.add('}');
  } else {
    imports.value('express', 'Router');
    imports.type('express', 'Request');
    imports.value(imports.file(`packages/${spec.pkg.name}/src/middleware/async-handler.ts`), 'asyncHandler');
    imports.value(imports.file(`packages/${spec.pkg.name}/src/middleware/auth.ts`), 'requireRole');
    if (spec.module.files.dtoCreate) imports.value(imports.file(spec.module.files.dtoCreate.path), `Create${E}Schema`);
    if (spec.module.files.dtoUpdate) imports.value(imports.file(spec.module.files.dtoUpdate.path), `Update${E}Schema`);
    if (spec.module.files.dtoQuery) imports.type(imports.file(spec.module.files.dtoQuery.path), `${E}Query`);
    src.add(`/** HTTP API for ${entity.plural}, mounted at /${route}. */`, imports.render(), '');
    src.add(
      `function pageOf(req: Request): { limit: number; offset: number } {`,
      `  const limit = Math.min(Number(req.query.limit ?? 50) || 50, 200);`,
      `  const offset = Math.max(Number(req.query.offset ?? 0) || 0, 0);`,
      `  return { limit, offset };`,
      `}`,
      '',
      `export function create${E}Router(service: ${E}Service): Router {`,
      `  const router = Router();`,
    );
    const parseCreate = spec.module.files.dtoCreate ? `Create${E}Schema.parse(req.body)` : `req.body as ${createType}`;
    const parseUpdate = spec.module.files.dtoUpdate ? `Update${E}Schema.parse(req.body)` : `req.body as ${updateType}`;
    const endpoints = [
      [
        `  router.get(`,
        `    '/',`,
        `    asyncHandler(async (req, res) => {`,
        `      const status = typeof req.query.status === 'string' ? (req.query.status as ${entity.statusEnum}) : undefined;`,
        `      const { items, total } = await service.list({ ...pageOf(req), status } as ${queryType});`,
        `      res.json({ items: items.map((item) => ${present('item')}), total });`,
        `    }),`,
        `  );`,
      ],
      [`  router.get(`, `    '/:id',`, `    asyncHandler(async (req, res) => {`, `      res.json(${present('await service.getById(req.params.id)')});`, `    }),`, `  );`],
      [`  router.post(`, `    '/',`, `    requireRole('editor'),`, `    asyncHandler(async (req, res) => {`, `      const created = await service.create(${parseCreate});`, `      res.status(201).location(\`/${route}/\${created.id}\`).json(${present('created')});`, `    }),`, `  );`],
      [`  router.patch(`, `    '/:id',`, `    requireRole('editor'),`, `    asyncHandler(async (req, res) => {`, `      res.json(${present(`await service.update(req.params.id, ${parseUpdate})`)});`, `    }),`, `  );`],
      [`  router.delete(`, `    '/:id',`, `    requireRole('admin'),`, `    asyncHandler(async (req, res) => {`, `      await service.remove(req.params.id);`, `      res.status(204).end();`, `    }),`, `  );`],
    ];
    const extraEndpoints = [];
    for (const status of entity.statuses.slice(1)) {
      extraEndpoints.push([`  router.post(`, `    '/:id/${status.toLowerCase()}',`, `    requireRole('editor'),`, `    asyncHandler(async (req, res) => {`, `      res.json(${present(`await service.transition(req.params.id, ${entity.statusEnum}.${status})`)});`, `    }),`, `  );`]);
    }
    for (const field of [...numericFields, ...dateFields]) {
      extraEndpoints.push([
        `  router.patch(`,
        `    '/:id/${snake(field.name).replace(/_/g, '-')}',`,
        `    requireRole('editor'),`,
        `    asyncHandler(async (req, res) => {`,
        `      const raw = req.body?.value;`,
        field.kind === 'date' ? `      const value = new Date(String(raw));` : `      const value = Number(raw);`,
        field.kind === 'date' ? `      if (Number.isNaN(value.getTime())) {` : `      if (!Number.isFinite(value)) {`,
        `        res.status(400).json({ error: 'invalid ${field.name}' });`,
        `        return;`,
        `      }`,
        `      res.json(${present(`await service.update(req.params.id, { ${field.name}: value } as never)`)});`,
        `    }),`,
        `  );`,
      ]);
    }
    extraEndpoints.push([
      `  router.get(`,
      `    '/:id/export',`,
      `    asyncHandler(async (req, res) => {`,
      `      const item = await service.getById(req.params.id);`,
      `      res.setHeader('content-type', 'application/json');`,
      `      res.setHeader('content-disposition', \`attachment; filename="${entity.moduleName}-\${item.id}.json"\`);`,
      `      res.send(JSON.stringify(item, null, 2));`,
      `    }),`,
      `  );`,
    ]);
    for (const endpoint of endpoints) src.add('', endpoint);
    for (const endpoint of ctx.random.shuffle(extraEndpoints)) {
      if (src.length >= spec.target - 3) break;
      src.add('', endpoint);
    }
    src.add('', `  return router;`, `}`);
  }
  fillWith(src, genericHelperBlocks(entity.camelName, ctx.random), spec.target);
  return src;
}

function zodFor(field) {
  const base = { string: 'z.string().min(1).max(200)', id: 'z.string().uuid()', int: 'z.number().int().nonnegative()', float: 'z.number()', bool: 'z.boolean()', date: 'z.coerce.date()', strings: 'z.array(z.string().max(64)).max(50)', record: 'z.record(z.unknown())' }[field.kind];
  return field.nullable ? `${base}.nullable()` : base;
}

function validatorsFor(field) {
  const list = { string: ['IsString()', 'MaxLength(200)'], id: ['IsUUID()'], int: ['IsInt()', 'Min(0)'], float: ['IsNumber()'], bool: ['IsBoolean()'], date: ['Type(() => Date)', 'IsDate()'], strings: ['IsArray()', "IsString({ each: true })"], record: ['IsObject()'] }[field.kind];
  return field.nullable ? ['IsOptional()', ...list] : list;
}

function renderDto(spec, ctx) {
  const { entity } = spec.module;
  const E = entity.name;
  const imports = new Imports(spec.path);
  const body = new Source();
  const nest = spec.pkg.framework === 'nest';
  const kind = spec.kind;
  const fields = kind === 'dto-create' ? fieldsForCreate(entity) : entity.fields;
  const className = kind === 'dto-create' ? `Create${E}Dto` : kind === 'dto-update' ? `Update${E}Dto` : `${E}Query`;
  const entityFile = spec.module.files.entity.path;
  const purpose = kind === 'dto-query' ? 'Query parameters to list' : kind === 'dto-create' ? 'Request body to create' : 'Request body to change';
  const header = `/** ${purpose} ${kind === 'dto-query' ? entity.plural : `a ${entity.moduleName.replace(/-/g, ' ')}`}. */`;
  imports.value(imports.file(entityFile), entity.statusEnum);
  if (kind === 'dto-query') {
    if (nest) {
      imports.value('class-validator', 'IsEnum', 'IsInt', 'IsOptional', 'Max', 'Min');
      imports.value('class-transformer', 'Type');
      body.add(`export class ${className} {`, `  @IsOptional()`, `  @IsEnum(${entity.statusEnum})`, `  status?: ${entity.statusEnum};`, '', `  @IsOptional()`, `  @Type(() => Number)`, `  @IsInt()`, `  @Min(1)`, `  @Max(200)`, `  limit?: number;`, '', `  @IsOptional()`, `  @Type(() => Number)`, `  @IsInt()`, `  @Min(0)`, `  offset?: number;`);
      body.add('', `  @IsOptional()`, `  sort?: 'createdAt' | 'updatedAt';`, `}`);
    } else {
      body.add(`export interface ${className} {`, `  status?: ${entity.statusEnum};`, `  limit?: number;`, `  offset?: number;`, `  sort?: 'createdAt' | 'updatedAt';`, `}`);
    }
  } else if (nest) {
    const decorators = new Set(['IsEnum', 'IsOptional']);
    let needsType = false;
    for (const field of fields) {
      for (const decorator of validatorsFor(field)) {
        const name = decorator.slice(0, decorator.indexOf('('));
        if (name === 'Type') needsType = true;
        else decorators.add(name);
      }
    }
    imports.value('class-validator', ...decorators);
    if (needsType) imports.value('class-transformer', 'Type');
    body.add(`export class ${className} {`);
    for (const field of fields) {
      const optional = kind === 'dto-update' || field.nullable;
      const decorators = validatorsFor(field);
      if (kind === 'dto-update' && !field.nullable) decorators.unshift('IsOptional()');
      body.add(...decorators.map((d) => `  @${d}`), `  ${field.name}${optional ? '?' : '!'}: ${tsType(field)};`, '');
    }
    body.add(`  @IsOptional()`, `  @IsEnum(${entity.statusEnum})`, `  status?: ${entity.statusEnum};`, `}`);
  } else {
    imports.value('zod', 'z');
    const schema = kind === 'dto-create' ? `Create${E}Schema` : `Update${E}Schema`;
    body.add(`export const ${schema} = z`, `  .object({`);
    for (const field of fields) body.add(`    ${field.name}: ${zodFor(field)}${kind === 'dto-update' ? '.optional()' : ''},`);
    body.add(`    status: z.nativeEnum(${entity.statusEnum}).optional(),`, `  })`, `  .strict();`, '', `export type ${className} = z.infer<typeof ${schema}>;`);
  }
  // Longer DTO files carry helpers over the entity, which then needs importing as well.
  const needsHelpers = body.length + 6 < spec.target - 6;
  if (needsHelpers) imports.type(imports.file(entityFile), E);
  const src = new Source().add(header, imports.render(), '', body.lines);
  if (needsHelpers) fillWith(src, entityHelperBlocks(entity, ctx.random), spec.target);
  return src;
}

function renderMapper(spec, ctx) {
  const { entity } = spec.module;
  const E = entity.name;
  const imports = new Imports(spec.path);
  imports.type(imports.file(spec.module.files.entity.path), E);
  const src = new Source();
  src.add(`/** The public JSON shape of a ${entity.moduleName.replace(/-/g, ' ')}; internal fields never leave the service. */`, imports.render(), '');
  src.add(`export interface ${E}Response {`, `  id: string;`, `  status: string;`);
  for (const field of entity.fields) src.add(`  ${field.name}: ${field.kind === 'date' ? `string${field.nullable ? ' | null' : ''}` : tsType(field)};`);
  src.add(`  createdAt: string;`, `  updatedAt: string;`, `}`, '');
  src.add(`export function to${E}Response(item: ${E}): ${E}Response {`, `  return {`, `    id: item.id,`, `    status: item.status.toLowerCase(),`);
  for (const field of entity.fields) {
    src.add(field.kind === 'date' ? `    ${field.name}: item.${field.name}${field.nullable ? '?.toISOString() ?? null' : '.toISOString()'},` : `    ${field.name}: item.${field.name},`);
  }
  src.add(`    createdAt: item.createdAt.toISOString(),`, `    updatedAt: item.updatedAt.toISOString(),`, `  };`, `}`, '');
  src.add(`export function to${E}ResponseList(items: readonly ${E}[]): ${E}Response[] {`, `  return items.map(to${E}Response);`, `}`);
  fillWith(src, entityHelperBlocks(entity, ctx.random), spec.target);
  return src;
}

function renderValidator(spec, ctx) {
  const { entity } = spec.module;
  const E = entity.name;
  const imports = new Imports(spec.path);
  imports.type(imports.file(spec.module.files.entity.path), E);
  const src = new Source();
  src.add(imports.render(), '', `export class ${E}ValidationError extends Error {`, `  constructor(readonly problems: string[]) {`, `    super(\`invalid ${entity.moduleName}: \${problems.join('; ')}\`);`, `  }`, `}`, '');
  src.add(`export function validate${E}(input: Partial<${E}>): void {`, `  const problems: string[] = [];`);
  for (const field of entity.fields) {
    if (field.kind === 'string') src.add(`  if (input.${field.name} !== undefined && input.${field.name} !== null && input.${field.name}.length > 200) problems.push('${field.name} is too long');`);
    else if (field.kind === 'int') src.add(`  if (input.${field.name} !== undefined && (!Number.isInteger(input.${field.name}) || input.${field.name} < 0)) problems.push('${field.name} must be a whole number');`);
    else if (field.kind === 'float') src.add(`  if (input.${field.name} !== undefined && !Number.isFinite(input.${field.name})) problems.push('${field.name} must be finite');`);
    else if (field.kind === 'strings') src.add(`  if (input.${field.name} && input.${field.name}.length > 50) problems.push('too many ${field.name}');`);
    else if (field.kind === 'date') src.add(`  if (input.${field.name} && Number.isNaN(input.${field.name}.getTime())) problems.push('${field.name} is not a date');`);
    else if (field.kind === 'record') src.add(`  if (input.${field.name} && Object.keys(input.${field.name}).length > 100) problems.push('${field.name} has too many keys');`);
    else if (field.kind === 'id') src.add(`  if (input.${field.name} && !/^[0-9a-f-]{36}$/i.test(input.${field.name})) problems.push('${field.name} is not a uuid');`);
  }
  src.add(`  if (problems.length > 0) throw new ${E}ValidationError(problems);`, `}`);
  fillWith(src, entityHelperBlocks(entity, ctx.random), spec.target);
  return src;
}

function renderEvents(spec, ctx) {
  const { entity } = spec.module;
  const E = entity.name;
  const imports = new Imports(spec.path);
  imports.value('node:events', 'EventEmitter');
  imports.type(imports.file(spec.module.files.entity.path), E);
  const src = new Source();
  src.add(imports.render(), '', `export interface ${E}Events {`, `  created: [${E}];`, `  updated: [${E}, string[]];`, `  removed: [string];`, `}`, '');
  src.add(
    `export class ${E}EventBus {`,
    `  private readonly emitter = new EventEmitter();`,
    '',
    `  emit<K extends keyof ${E}Events>(event: K, ...args: ${E}Events[K]): void {`,
    `    this.emitter.emit(event, ...args);`,
    `  }`,
    '',
    `  on<K extends keyof ${E}Events>(event: K, listener: (...args: ${E}Events[K]) => void): () => void {`,
    `    this.emitter.on(event, listener as (...args: unknown[]) => void);`,
    `    return () => this.emitter.off(event, listener as (...args: unknown[]) => void);`,
    `  }`,
    `}`,
  );
  fillWith(src, entityHelperBlocks(entity, ctx.random), spec.target);
  return src;
}

function renderConstants(spec, ctx) {
  const { entity } = spec.module;
  const src = new Source();
  const U = upperSnake(entity.moduleName);
  src.add(`export const ${U}_PAGE_SIZE = ${ctx.random.pick([20, 25, 50, 100])};`, `export const ${U}_MAX_BULK = ${ctx.random.pick([100, 250, 500, 1000])};`, `export const ${U}_QUEUE = '${spec.pkg.name}.${entity.moduleName}';`, '');
  src.add(`export const ${U}_SORTABLE_FIELDS = [`, ...entity.fields.map((field) => `  '${field.name}',`), `  'createdAt',`, `  'updatedAt',`, `] as const;`, '');
  src.add(`export type ${entity.name}SortField = (typeof ${U}_SORTABLE_FIELDS)[number];`);
  fillWith(src, genericHelperBlocks(entity.camelName, ctx.random), spec.target);
  return src;
}

function renderTypes(spec, ctx) {
  const { entity } = spec.module;
  const E = entity.name;
  const imports = new Imports(spec.path);
  imports.type(imports.file(spec.module.files.entity.path), E, entity.statusEnum);
  const src = new Source();
  src.add(imports.render(), '', `export type ${E}Id = ${E}['id'];`, `export type ${E}Patch = Partial<Omit<${E}, 'id' | 'createdAt' | 'updatedAt'>>;`, '');
  src.add(`export interface ${E}Page {`, `  items: ${E}[];`, `  total: number;`, `  nextOffset: number | null;`, `}`, '');
  src.add(`export interface ${E}Filter {`, `  status?: ${entity.statusEnum}[];`);
  for (const field of entity.fields.slice(0, 4)) src.add(`  ${field.name}?: ${tsType(field).replace(' | null', '')};`);
  src.add(`}`, '', `export type ${E}Change =`, `  | { kind: 'created'; item: ${E} }`, `  | { kind: 'updated'; item: ${E}; fields: string[] }`, `  | { kind: 'removed'; id: ${E}Id };`);
  fillWith(src, genericHelperBlocks(`${entity.camelName}Types`, ctx.random), spec.target);
  return src;
}

function renderNestModule(spec) {
  const { entity } = spec.module;
  const E = entity.name;
  const imports = new Imports(spec.path);
  imports.value('@nestjs/common', 'Module');
  imports.value(imports.file(spec.module.files.service.path), `${E}Service`);
  imports.value(imports.file(spec.module.files.repository.path), `${E}Repository`);
  if (spec.module.files.controller) imports.value(imports.file(spec.module.files.controller.path), `${E}Controller`);
  const importsList = [];
  if (spec.pkg.orm === 'typeorm') {
    imports.value('@nestjs/typeorm', 'TypeOrmModule');
    imports.value(imports.file(spec.module.files.entity.path), E);
    importsList.push(`TypeOrmModule.forFeature([${E}])`);
  }
  const src = new Source();
  src.add(imports.render(), '', `@Module({`);
  if (importsList.length > 0) src.add(`  imports: [${importsList.join(', ')}],`);
  if (spec.module.files.controller) src.add(`  controllers: [${E}Controller],`);
  src.add(`  providers: [${E}Service, ${E}Repository],`, `  exports: [${E}Service],`, `})`, `export class ${E}Module {}`);
  return src;
}

function renderSpec(spec, ctx) {
  const { entity } = spec.module;
  const E = entity.name;
  const imports = new Imports(spec.path);
  imports.value(imports.file(spec.module.files.service.path), `${E}Service`);
  imports.value(imports.file(spec.module.files.entity.path), entity.statusEnum).type(imports.file(spec.module.files.entity.path), E);
  imports.type(imports.file(spec.module.files.repository.path), `${E}Repository`);
  const random = ctx.random;
  const src = new Source();
  src.add(imports.render(), '');
  src.add(`function make${E}(overrides: Partial<${E}> = {}): ${E} {`, `  return {`, `    id: '${random.int(10000000, 99999999)}-0000-4000-8000-000000000000',`, `    status: ${entity.statusEnum}.${entity.statuses[0]},`);
  for (const field of entity.fields) src.add(`    ${field.name}: ${field.nullable && random.chance(0.5) ? 'null' : sampleValue(field, random)},`);
  src.add(`    createdAt: new Date('2024-01-01T00:00:00Z'),`, `    updatedAt: new Date('2024-01-02T00:00:00Z'),`, `    ...overrides,`, `  };`, `}`, '');
  src.add(
    `class InMemory${E}Repository {`,
    `  readonly rows = new Map<string, ${E}>();`,
    `  async findById(id: string) { return this.rows.get(id) ?? null; }`,
    `  async findMany() { return [...this.rows.values()]; }`,
    `  async count() { return this.rows.size; }`,
    `  async create(data: Partial<${E}>) { const row = make${E}({ ...data, id: String(this.rows.size + 1) }); this.rows.set(row.id, row); return row; }`,
    `  async update(id: string, data: Partial<${E}>) { const row = { ...this.rows.get(id)!, ...data }; this.rows.set(id, row); return row; }`,
    `  async softDelete(id: string) { this.rows.delete(id); }`,
    `  async updateMany(ids: string[], data: Partial<${E}>) { for (const id of ids) await this.update(id, data); return ids.length; }`,
    `}`,
    '',
    `describe('${E}Service', () => {`,
    `  let repository: InMemory${E}Repository;`,
    `  let service: ${E}Service;`,
    '',
    `  beforeEach(() => {`,
    `    repository = new InMemory${E}Repository();`,
    `    service = new ${E}Service(${[`repository as unknown as ${E}Repository`, ...Array.from({ length: (spec.module.serviceArity ?? 1) - 1 }, () => '{} as never')].join(', ')});`,
    `  });`,
  );
  const cases = [
    [`  it('returns an existing ${entity.moduleName.replace(/-/g, ' ')}', async () => {`, `    const item = make${E}();`, `    repository.rows.set(item.id, item);`, `    await expect(service.getById(item.id)).resolves.toEqual(item);`, `  });`],
    [`  it('rejects an unknown id', async () => {`, `    await expect(service.getById('missing')).rejects.toThrow(/not found/);`, `  });`],
    [`  it('lists with a total', async () => {`, `    repository.rows.set('a', make${E}({ id: 'a' }));`, `    repository.rows.set('b', make${E}({ id: 'b' }));`, `    const result = await service.list({ limit: 10 } as never);`, `    expect(result.total).toBe(2);`, `    expect(result.items.map((item) => item.id).sort()).toEqual(['a', 'b']);`, `  });`],
    [`  it('removes softly', async () => {`, `    const item = make${E}();`, `    repository.rows.set(item.id, item);`, `    await service.remove(item.id);`, `    expect(repository.rows.has(item.id)).toBe(false);`, `  });`],
  ];
  for (const status of entity.statuses.slice(1)) {
    cases.push([
      `  it('handles the move to ${status.toLowerCase()}', async () => {`,
      `    const item = make${E}({ status: ${entity.statusEnum}.${entity.statuses[0]} });`,
      `    repository.rows.set(item.id, item);`,
      `    const attempt = service.transition(item.id, ${entity.statusEnum}.${status});`,
      `    await attempt.then(`,
      `      (moved) => expect(moved.status).toBe(${entity.statusEnum}.${status}),`,
      `      (error: Error) => expect(error.message).toMatch(/cannot move/),`,
      `    );`,
      `  });`,
    ]);
  }
  for (const testCase of cases) {
    if (src.length >= spec.target - 2) break;
    src.add('', testCase);
  }
  src.add('});');
  return src;
}

function renderUtil(spec, ctx) {
  const src = new Source();
  src.add(`/** ${cap(spec.util)} helpers shared across modules. */`);
  fillWith(src, genericHelperBlocks(`${spec.util}${spec.relative.includes('helpers-') ? spec.relative.replace(/\D/g, '') : ''}`, ctx.random), Math.max(spec.target, 12));
  return src;
}

function renderCommon(spec, ctx) {
  const src = new Source();
  switch (spec.common) {
    case 'errors':
      src.add(
        `export class DomainError extends Error {`,
        `  constructor(message: string, readonly code: string, readonly details?: Record<string, unknown>) {`,
        `    super(message);`,
        `    this.name = new.target.name;`,
        `  }`,
        `}`,
        '',
        `export class ValidationFailed extends DomainError {`,
        `  constructor(readonly problems: string[]) {`,
        `    super(problems.join('; '), 'validation_failed', { problems });`,
        `  }`,
        `}`,
        '',
        `export function isDomainError(error: unknown): error is DomainError {`,
        `  return error instanceof DomainError;`,
        `}`,
      );
      break;
    case 'logger':
      src.add(
        `export type LogLevel = 'debug' | 'info' | 'warn' | 'error';`,
        '',
        `export interface Logger {`,
        `  debug(fields: Record<string, unknown>, message: string): void;`,
        `  info(fields: Record<string, unknown>, message: string): void;`,
        `  warn(fields: Record<string, unknown>, message: string): void;`,
        `  error(fields: Record<string, unknown>, message: string): void;`,
        `}`,
        '',
        `const levels: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };`,
        `const threshold = levels[(process.env.LOG_LEVEL as LogLevel) ?? 'info'] ?? levels.info;`,
        '',
        `export function createLogger(name: string): Logger {`,
        `  const write = (level: LogLevel) => (fields: Record<string, unknown>, message: string) => {`,
        `    if (levels[level] < threshold) return;`,
        `    process.stdout.write(\`\${JSON.stringify({ level, name, message, time: new Date().toISOString(), ...fields })}\\n\`);`,
        `  };`,
        `  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };`,
        `}`,
      );
      break;
    case 'http-errors':
      src.add(
        `export class HttpError extends Error {`,
        `  constructor(readonly status: number, message: string) {`,
        `    super(message);`,
        `  }`,
        `}`,
        '',
        `export class NotFoundError extends HttpError {`,
        `  constructor(message: string) {`,
        `    super(404, message);`,
        `  }`,
        `}`,
        '',
        `export class ConflictError extends HttpError {`,
        `  constructor(message: string) {`,
        `    super(409, message);`,
        `  }`,
        `}`,
        '',
        `export class BadRequestError extends HttpError {`,
        `  constructor(message: string) {`,
        `    super(400, message);`,
        `  }`,
        `}`,
      );
      break;
    case 'request-context':
      src.add(
        `import { AsyncLocalStorage } from 'node:async_hooks';`,
        `import { randomUUID } from 'node:crypto';`,
        '',
        `export interface RequestContext {`,
        `  requestId: string;`,
        `  userId?: string;`,
        `  tenantId?: string;`,
        `  startedAt: number;`,
        `}`,
        '',
        `const storage = new AsyncLocalStorage<RequestContext>();`,
        '',
        `export function runWithContext<T>(context: Partial<RequestContext>, task: () => T): T {`,
        `  return storage.run({ requestId: randomUUID(), startedAt: Date.now(), ...context }, task);`,
        `}`,
        '',
        `export function currentContext(): RequestContext | undefined {`,
        `  return storage.getStore();`,
        `}`,
      );
      break;
    default:
      throw new Error(`unknown common file ${spec.common}`);
  }
  fillWith(src, genericHelperBlocks(spec.common, ctx.random), spec.target);
  return src;
}

function renderConfig(spec, ctx) {
  const src = new Source();
  if (spec.config === 'env') {
    src.add(
      `function required(name: string): string {`,
      `  const value = process.env[name];`,
      `  if (!value) throw new Error(\`missing environment variable \${name}\`);`,
      `  return value;`,
      `}`,
      '',
      `export const env = {`,
      `  NODE_ENV: process.env.NODE_ENV ?? 'development',`,
      `  PORT: Number(process.env.PORT ?? ${ctx.random.int(3000, 3999)}),`,
      `  DATABASE_URL: required('DATABASE_URL'),`,
      `  REDIS_URL: process.env.REDIS_URL ?? 'redis://localhost:6379',`,
      `  JWT_ISSUER: process.env.JWT_ISSUER ?? 'https://auth.acme.test',`,
      `  REQUEST_TIMEOUT_MS: Number(process.env.REQUEST_TIMEOUT_MS ?? 10000),`,
      `} as const;`,
      '',
      `export type Env = typeof env;`,
    );
  } else {
    src.add(
      `import { env } from './env';`,
      '',
      `export interface DatabaseConfig {`,
      `  url: string;`,
      `  poolMin: number;`,
      `  poolMax: number;`,
      `  statementTimeoutMs: number;`,
      `}`,
      '',
      `export const databaseConfig: DatabaseConfig = {`,
      `  url: env.DATABASE_URL,`,
      `  poolMin: 2,`,
      `  poolMax: Number(process.env.DB_POOL_MAX ?? ${ctx.random.pick([10, 20, 30])}),`,
      `  statementTimeoutMs: ${ctx.random.pick([5000, 15000, 30000])},`,
      `};`,
    );
  }
  fillWith(src, genericHelperBlocks(`${spec.config}Config`, ctx.random), spec.target);
  return src;
}

function renderDbClient(spec) {
  const src = new Source();
  const { orm, framework } = spec.pkg;
  if (orm === 'prisma') {
    if (framework === 'nest') {
      src.add(
        `import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';`,
        `import { PrismaClient } from '@prisma/client';`,
        '',
        `@Injectable()`,
        `export class PrismaService extends PrismaClient implements OnModuleInit, OnModuleDestroy {`,
        `  async onModuleInit(): Promise<void> {`,
        `    await this.$connect();`,
        `  }`,
        '',
        `  async onModuleDestroy(): Promise<void> {`,
        `    await this.$disconnect();`,
        `  }`,
        `}`,
      );
    } else {
      src.add(`import { PrismaClient } from '@prisma/client';`, '', `export const prisma = new PrismaClient({ log: ['warn', 'error'] });`);
    }
  } else if (orm === 'typeorm') {
    src.add(
      `import { DataSource } from 'typeorm';`,
      `import { databaseConfig } from '../config/database';`,
      '',
      `export const dataSource = new DataSource({`,
      `  type: 'postgres',`,
      `  url: databaseConfig.url,`,
      `  entities: [__dirname + '/../**/*.entity.{ts,js}'],`,
      `  synchronize: false,`,
      `  extra: { max: databaseConfig.poolMax },`,
      `});`,
    );
  } else {
    src.add(
      `import knex, { Knex } from 'knex';`,
      `import { databaseConfig } from '../config/database';`,
      '',
      `export const db: Knex = knex({`,
      `  client: 'pg',`,
      `  connection: databaseConfig.url,`,
      `  pool: { min: databaseConfig.poolMin, max: databaseConfig.poolMax },`,
      `});`,
    );
  }
  return src;
}

function renderMiddleware(spec, ctx) {
  const src = new Source();
  switch (spec.middleware) {
    case 'async-handler':
      src.add(
        `import type { NextFunction, Request, RequestHandler, Response } from 'express';`,
        '',
        `export function asyncHandler(handler: (req: Request, res: Response, next: NextFunction) => Promise<void>): RequestHandler {`,
        `  return (req, res, next) => {`,
        `    handler(req, res, next).catch(next);`,
        `  };`,
        `}`,
      );
      break;
    case 'auth':
      src.add(
        `import type { NextFunction, Request, Response } from 'express';`,
        '',
        `const roleRank: Record<string, number> = { viewer: 1, editor: 2, admin: 3, ops: 4 };`,
        '',
        `export function requireRole(role: keyof typeof roleRank) {`,
        `  return (req: Request, res: Response, next: NextFunction): void => {`,
        `    const granted = String(req.headers['x-role'] ?? 'viewer');`,
        `    if ((roleRank[granted] ?? 0) < roleRank[role]) {`,
        `      res.status(403).json({ error: 'forbidden' });`,
        `      return;`,
        `    }`,
        `    next();`,
        `  };`,
        `}`,
      );
      break;
    case 'error-handler':
      src.add(
        `import type { NextFunction, Request, Response } from 'express';`,
        `import { HttpError } from '../common/http-errors';`,
        '',
        `export function errorHandler(error: unknown, _req: Request, res: Response, _next: NextFunction): void {`,
        `  if (error instanceof HttpError) {`,
        `    res.status(error.status).json({ error: error.message });`,
        `    return;`,
        `  }`,
        `  console.error(error);`,
        `  res.status(500).json({ error: 'internal error' });`,
        `}`,
      );
      break;
    case 'guard':
      src.add(
        `import { CanActivate, ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';`,
        '',
        `@Injectable()`,
        `export class AuthGuard implements CanActivate {`,
        `  canActivate(context: ExecutionContext): boolean {`,
        `    const request = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>();`,
        `    const header = request.headers.authorization ?? '';`,
        `    if (!header.startsWith('Bearer ')) throw new UnauthorizedException();`,
        `    return header.length > 'Bearer '.length;`,
        `  }`,
        `}`,
      );
      break;
    case 'interceptor':
      src.add(
        `import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';`,
        `import { Observable, tap } from 'rxjs';`,
        '',
        `@Injectable()`,
        `export class LoggingInterceptor implements NestInterceptor {`,
        `  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {`,
        `    const started = Date.now();`,
        `    const handler = \`\${context.getClass().name}.\${context.getHandler().name}\`;`,
        `    return next.handle().pipe(tap(() => console.log(\`\${handler} \${Date.now() - started} ms\`)));`,
        `  }`,
        `}`,
      );
      break;
    default:
      throw new Error(`unknown middleware ${spec.middleware}`);
  }
  fillWith(src, genericHelperBlocks(spec.middleware, ctx.random), spec.target);
  return src;
}

function renderJob(spec, ctx) {
  const { entity } = spec.module;
  const E = entity.name;
  const imports = new Imports(spec.path);
  imports.type(imports.file(spec.module.files.service.path), `${E}Service`);
  imports.value('@acme/platform-common', 'createLogger');
  const src = new Source();
  src.add(`/** Periodically reconciles ${entity.plural} with the upstream system. */`, imports.render(), '');
  src.add(
    `const logger = createLogger('${spec.pkg.name}:${entity.moduleName}-sync');`,
    '',
    `export function start${E}Sync(service: ${E}Service, intervalMs = ${ctx.random.pick([60_000, 300_000, 900_000])}): () => void {`,
    `  let running = false;`,
    `  const timer = setInterval(async () => {`,
    `    if (running) return;`,
    `    running = true;`,
    `    try {`,
    `      const archived = await service.list({ limit: 200 } as never);`,
    `      logger.info({ seen: archived.items.length }, 'sync pass finished');`,
    `    } catch (error) {`,
    `      logger.error({ error }, 'sync pass failed');`,
    `    } finally {`,
    `      running = false;`,
    `    }`,
    `  }, intervalMs);`,
    `  timer.unref();`,
    `  return () => clearInterval(timer);`,
    `}`,
  );
  fillWith(src, genericHelperBlocks(`${entity.camelName}Sync`, ctx.random), spec.target);
  return src;
}

function renderPackageIndex(spec, ctx) {
  const src = new Source();
  if (spec.pkg.common) {
    src.add(`export * from './errors';`, `export * from './logger';`);
    for (const util of utilityModules) src.add(`export * as ${util} from './${util}';`);
    return src;
  }
  src.add(`/** Public API of @acme/${spec.pkg.name}: other packages import only from here. */`);
  for (const module of spec.pkg.modules) {
    src.add(`export * from './${module.name}/${module.name}.entity';`, `export { ${module.entity.name}Service } from './${module.name}/${module.name}.service';`);
    if (module.files.mapper) src.add(`export type { ${module.entity.name}Response } from './${module.name}/${module.name}.mapper';`);
  }
  return src;
}

function renderBootstrap(spec) {
  const src = new Source();
  if (spec.pkg.framework === 'nest') {
    src.add(
      `import { NestFactory } from '@nestjs/core';`,
      `import { AppModule } from './app.module';`,
      `import { env } from './config/env';`,
      `import { LoggingInterceptor } from './common/logging.interceptor';`,
      '',
      `async function bootstrap(): Promise<void> {`,
      `  const app = await NestFactory.create(AppModule, { bufferLogs: true });`,
      `  app.useGlobalInterceptors(new LoggingInterceptor());`,
      `  app.enableShutdownHooks();`,
      `  await app.listen(env.PORT);`,
      `}`,
      '',
      `void bootstrap();`,
    );
  } else {
    src.add(
      `import { createApp } from './app';`,
      `import { env } from './config/env';`,
      '',
      `const server = createApp().listen(env.PORT, () => {`,
      `  console.log(\`${spec.pkg.name} listening on \${env.PORT}\`);`,
      `});`,
      '',
      `for (const signal of ['SIGINT', 'SIGTERM'] as const) {`,
      `  process.on(signal, () => server.close(() => process.exit(0)));`,
      `}`,
    );
  }
  return src;
}

function renderComposition(spec) {
  const src = new Source();
  const pkg = spec.pkg;
  const imports = new Imports(spec.path);
  if (pkg.framework === 'nest') {
    imports.value('@nestjs/common', 'Module');
    if (pkg.orm === 'typeorm') imports.value('@nestjs/typeorm', 'TypeOrmModule');
    const modules = pkg.modules.filter((module) => module.files.module);
    for (const module of modules) imports.value(imports.file(module.files.module.path), `${module.entity.name}Module`);
    src.add(imports.render(), '', `@Module({`, `  imports: [`);
    if (pkg.orm === 'typeorm') src.add(`    TypeOrmModule.forRoot({ type: 'postgres', url: process.env.DATABASE_URL, autoLoadEntities: true }),`);
    for (const module of modules) src.add(`    ${module.entity.name}Module,`);
    src.add(`  ],`, `})`, `export class AppModule {}`);
    return src;
  }
  imports.value('express', 'json');
  imports.defaultImport('express', 'express');
  imports.type('express', 'Express');
  imports.value(imports.file(`packages/${pkg.name}/src/middleware/error-handler.ts`), 'errorHandler');
  const dbClient = `packages/${pkg.name}/src/db/client.ts`;
  const dbName = pkg.orm === 'prisma' ? 'prisma' : pkg.orm === 'typeorm' ? 'dataSource' : 'db';
  imports.value(imports.file(dbClient), dbName);
  const routed = pkg.modules.filter((module) => module.files.controller);
  for (const module of pkg.modules) {
    imports.value(imports.file(module.files.service.path), `${module.entity.name}Service`);
    imports.value(imports.file(module.files.repository.path), `${module.entity.name}Repository`);
    if (pkg.orm === 'typeorm') imports.value(imports.file(module.files.entity.path), module.entity.name);
  }
  for (const module of routed) imports.value(imports.file(module.files.controller.path), `create${module.entity.name}Router`);
  if (pkg.hasCacheModule && pkg.files.some((file) => file.kind === 'cache-admin')) {
    imports.value(imports.file(`packages/${pkg.name}/src/ops/cache-admin.controller.ts`), 'createCacheAdminRouter');
  }
  src.add(imports.render(), '', `export function createApp(): Express {`, `  const app = express();`, `  app.use(json({ limit: '1mb' }));`, '');
  for (const module of pkg.modules) {
    const E = module.entity.name;
    const repoArg = pkg.orm === 'typeorm' ? `${dbName}.getRepository(${E})` : dbName;
    src.add(`  const ${module.entity.camelName}Service = new ${E}Service(new ${E}Repository(${repoArg}));`);
  }
  src.add('');
  for (const module of routed) src.add(`  app.use('/${plural(module.name)}', create${module.entity.name}Router(${module.entity.camelName}Service));`);
  if (pkg.hasCacheModule && pkg.files.some((file) => file.kind === 'cache-admin')) src.add(`  app.use('/ops/cache', createCacheAdminRouter());`);
  src.add('', `  app.use(errorHandler);`, `  return app;`, `}`);
  return src;
}

const renderers = {
  entity: renderEntity,
  repository: renderRepository,
  service: renderService,
  'cached-service': renderCachedService,
  controller: renderController,
  'dto-create': renderDto,
  'dto-update': renderDto,
  'dto-query': renderDto,
  mapper: renderMapper,
  validator: renderValidator,
  events: renderEvents,
  constants: renderConstants,
  types: renderTypes,
  module: renderNestModule,
  spec: renderSpec,
  util: renderUtil,
  common: renderCommon,
  config: renderConfig,
  'db-client': renderDbClient,
  middleware: renderMiddleware,
  job: renderJob,
  'package-index': renderPackageIndex,
  bootstrap: renderBootstrap,
  composition: renderComposition,
  'cache-client': renderCacheClient,
  'cache-index': renderCacheIndex,
  'cache-keys': renderCacheKeys,
  'cache-admin': renderCacheAdmin,
  'cache-job': renderCacheJob,
};

// ---------------------------------------------------------------------------------------------
// Writing

function rootFiles(plan) {
  const tsconfig = {
    compilerOptions: {
      target: 'ES2022',
      module: 'commonjs',
      moduleResolution: 'node',
      lib: ['ES2022'],
      strict: true,
      esModuleInterop: true,
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
      skipLibCheck: true,
      baseUrl: '.',
      paths: { '@acme/*': ['packages/*/src'] },
    },
    include: ['packages/*/src/**/*.ts'],
  };
  const files = {
    'tsconfig.json': `${JSON.stringify(tsconfig, null, 2)}\n`,
    'package.json': `${JSON.stringify({ name: 'acme-platform', private: true, workspaces: ['packages/*'] }, null, 2)}\n`,
    '.gitignore': 'node_modules/\ndist/\ncoverage/\n',
  };
  for (const pkg of plan.packages) {
    files[`packages/${pkg.name}/package.json`] = `${JSON.stringify({ name: `@acme/${pkg.name}`, version: '1.0.0', main: 'dist/index.js', types: 'dist/index.d.ts' }, null, 2)}\n`;
  }
  return files;
}

function prepareOutputDir(out) {
  if (fs.existsSync(out)) {
    const entries = fs.readdirSync(out);
    if (entries.length > 0 && !entries.includes(manifestName)) {
      throw new Error(`${out} is not empty and was not generated by this script; refusing to overwrite it`);
    }
    fs.rmSync(out, { recursive: true, force: true });
  }
  fs.mkdirSync(out, { recursive: true });
}

/**
 * Makes the corpus its own git work tree. CacheScope applies .gitignore rules from the enclosing
 * repository, and a corpus generated inside an ignored directory would otherwise be ignored whole.
 */
function initGitRepository(out) {
  const result = spawnSync('git', ['init', '--quiet'], { cwd: out, encoding: 'utf8' });
  return result.status === 0;
}

/** Generates the corpus into `out` and returns what was written. */
export function generateCorpus(options = {}) {
  const fileCount = options.files ?? corpusDefaults.files;
  const seed = options.seed ?? corpusDefaults.seed;
  const out = path.resolve(options.out ?? corpusDefaults.out);
  if (!Number.isInteger(fileCount) || fileCount < 60) throw new Error('the corpus needs at least 60 files');

  const random = createRandom(seed);
  const plan = planCorpus(fileCount, random);
  const ctx = { plan, random };
  prepareOutputDir(out);

  let totalLines = 0;
  const linesPerFile = [];
  for (const spec of plan.files) {
    const render = renderers[spec.kind];
    if (!render) throw new Error(`no renderer for ${spec.kind}`);
    const source = render(spec, ctx);
    // Files whose own content runs short of their target get shared-looking helpers appended.
    const fillerPrefix = `${path.basename(spec.path, '.ts').replace(/[^a-z0-9]+/gi, '-')}-local`;
    if (source.length < spec.target - 2) fillWith(source, genericHelperBlocks(fillerPrefix, random), spec.target);
    const text = source.toString();
    const target = path.join(out, spec.path);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, text);
    const lines = text.split('\n').length - 1;
    linesPerFile.push(lines);
    totalLines += lines;
  }
  for (const [relative, text] of Object.entries(rootFiles(plan))) {
    fs.mkdirSync(path.dirname(path.join(out, relative)), { recursive: true });
    fs.writeFileSync(path.join(out, relative), text);
  }
  const gitInitialised = options.git === false ? false : initGitRepository(out);

  const flavours = {};
  for (const spec of plan.cacheFiles) {
    const key = spec.flavour ?? spec.kind;
    flavours[key] = (flavours[key] ?? 0) + 1;
  }
  const summary = {
    out,
    seed: String(seed),
    files: plan.files.length,
    lines: totalLines,
    meanLines: Math.round((totalLines / plan.files.length) * 10) / 10,
    minLines: Math.min(...linesPerFile),
    maxLines: Math.max(...linesPerFile),
    packages: plan.packages.map((pkg) => pkg.name),
    cacheFiles: plan.cacheFiles.map((spec) => spec.path),
    cacheFlavours: flavours,
    gitInitialised,
  };
  const manifest = { generator: 'bench/generate-corpus.mjs', options: { files: fileCount, seed: String(seed) }, generatorHash: generatorHash(), ...summary, out: undefined };
  fs.writeFileSync(path.join(out, manifestName), `${JSON.stringify(manifest, null, 2)}\n`);
  return summary;
}

/** A hash of this script, so callers can tell whether an existing corpus is out of date. */
export function generatorHash() {
  return hashSeed(fs.readFileSync(fileURLToPath(import.meta.url), 'utf8')).toString(16);
}

/** The manifest of an existing corpus, or undefined when `out` holds none. */
export function readManifest(out) {
  try {
    return JSON.parse(fs.readFileSync(path.join(out, manifestName), 'utf8'));
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Command line

function parseArgs(argv) {
  const options = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes('=') ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    const value = () => inline ?? argv[++i];
    if (flag === '--files') options.files = Number(value());
    else if (flag === '--out') options.out = value();
    else if (flag === '--seed') options.seed = value();
    else if (flag === '--help' || flag === '-h') options.help = true;
    else throw new Error(`unknown option ${arg}`);
  }
  return options;
}

const usage = `usage: node bench/generate-corpus.mjs [--files N] [--out DIR] [--seed S]
  --files N   number of source files (default ${corpusDefaults.files})
  --out DIR   where to write the corpus (default bench/.corpus); an existing corpus there is replaced
  --seed S    PRNG seed; the same seed and file count give identical output (default ${corpusDefaults.seed})`;

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const options = parseArgs(process.argv.slice(2));
    if (options.help) {
      console.log(usage);
    } else {
      const started = Date.now();
      const summary = generateCorpus(options);
      console.log(`wrote ${summary.files} files, ${summary.lines} lines (mean ${summary.meanLines}, ${summary.minLines}–${summary.maxLines}) to ${path.relative(process.cwd(), summary.out) || '.'} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      console.log(`packages: ${summary.packages.join(', ')}`);
      console.log(`files touching a cache client: ${summary.cacheFiles.length} (${Object.entries(summary.cacheFlavours).map(([k, v]) => `${k} ${v}`).join(', ')})`);
      if (!summary.gitInitialised) console.log('warning: git init failed; CacheScope applies .gitignore rules of any enclosing repository');
    }
  } catch (error) {
    console.error(`generate-corpus: ${error.message}`);
    console.error(usage);
    process.exitCode = 2;
  }
}
