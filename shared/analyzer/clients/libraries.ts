/**
 * The cache libraries CacheScope knows, and which of their exports make, type or are cache clients.
 * Recognition starts only from these import specifiers (or the in-house wrappers named in config),
 * so a `.keys()` or `.set()` on anything else is never a cache call.
 */

export type CacheLibrary = 'ioredis' | 'node-redis' | 'upstash' | 'cache-manager' | 'keyv' | 'custom';

/** How a library export relates to clients. */
export type ExportRole =
  /** `new X(...)` makes a client. */
  | 'constructor'
  /** `X(...)` (or `await X(...)`) returns a client. */
  | 'factory'
  /** A type annotation `x: X` says x is a client. */
  | 'type'
  /** A type annotation `x: X` says x is a pipeline/multi batch of a client. */
  | 'batchType'
  /** The export is itself a ready client instance. */
  | 'instance'
  /** The value is the NestJS injection token for the cache manager. */
  | 'cacheToken'
  /** A type annotation `x: X` says x is a service whose `clientMethods` return clients. */
  | 'provider';

export interface LibraryExport {
  role: ExportRole;
  /** Static methods on the export that return a client, e.g. upstash's `Redis.fromEnv()`. */
  staticFactories?: string[];
  /** Static properties that are themselves client constructors, e.g. ioredis's `Redis.Cluster`. */
  staticConstructors?: string[];
  /** For providers: the methods that return a client. */
  clientMethods?: string[];
}

export interface LibraryDescriptor {
  library: CacheLibrary;
  /** Exports by name; `default` is the default export (and the CommonJS `module.exports`). */
  exports: Record<string, LibraryExport>;
}

const ioredisClient: LibraryExport = {
  role: 'constructor',
  staticConstructors: ['Cluster'],
};

const nodeRedisExports: Record<string, LibraryExport> = {
  createClient: { role: 'factory' },
  createCluster: { role: 'factory' },
  createSentinel: { role: 'factory' },
  RedisClientType: { role: 'type' },
  RedisClusterType: { role: 'type' },
  RedisSentinelType: { role: 'type' },
  RedisClientMultiCommandType: { role: 'batchType' },
};

const upstashExports: Record<string, LibraryExport> = {
  Redis: { role: 'constructor', staticFactories: ['fromEnv'] },
  Pipeline: { role: 'batchType' },
};

const cacheManagerExports: Record<string, LibraryExport> = {
  createCache: { role: 'factory' },
  caching: { role: 'factory' },
  multiCaching: { role: 'factory' },
  Cache: { role: 'type' },
  MemoryCache: { role: 'type' },
  MultiCache: { role: 'type' },
};

const keyvExports: Record<string, LibraryExport> = {
  default: { role: 'constructor' },
  Keyv: { role: 'constructor' },
};

const libraries: Record<string, LibraryDescriptor> = {
  ioredis: {
    library: 'ioredis',
    exports: {
      default: ioredisClient,
      Redis: ioredisClient,
      Cluster: { role: 'constructor' },
      RedisOptions: { role: 'type' },
      Pipeline: { role: 'batchType' },
      ChainableCommander: { role: 'batchType' },
    },
  },
  redis: { library: 'node-redis', exports: nodeRedisExports },
  '@redis/client': { library: 'node-redis', exports: nodeRedisExports },
  '@upstash/redis': { library: 'upstash', exports: upstashExports },
  '@upstash/redis/nodejs': { library: 'upstash', exports: upstashExports },
  '@upstash/redis/cloudflare': { library: 'upstash', exports: upstashExports },
  '@upstash/redis/fastly': { library: 'upstash', exports: upstashExports },
  '@vercel/kv': {
    library: 'upstash',
    exports: {
      kv: { role: 'instance' },
      createClient: { role: 'factory' },
      VercelKV: { role: 'type' },
    },
  },
  'cache-manager': { library: 'cache-manager', exports: cacheManagerExports },
  keyv: { library: 'keyv', exports: keyvExports },
  '@keyv/redis': { library: 'keyv', exports: { default: { role: 'constructor' } } },
  '@nestjs/cache-manager': {
    library: 'cache-manager',
    exports: { CACHE_MANAGER: { role: 'cacheToken' }, Cache: { role: 'type' } },
  },
  '@nestjs/common': {
    // Older NestJS versions exported the cache module from @nestjs/common.
    library: 'cache-manager',
    exports: { CACHE_MANAGER: { role: 'cacheToken' } },
  },
  '@nestjs-modules/ioredis': {
    library: 'ioredis',
    exports: { InjectRedis: { role: 'cacheToken' } },
  },
  '@liaoliaots/nestjs-redis': {
    library: 'ioredis',
    exports: {
      InjectRedis: { role: 'cacheToken' },
      RedisService: { role: 'provider', clientMethods: ['getOrThrow', 'getOrNil', 'getClient'] },
    },
  },
  '@fastify/redis': {
    library: 'ioredis',
    exports: { FastifyRedis: { role: 'type' } },
  },
  'nestjs-redis': {
    library: 'ioredis',
    exports: { RedisService: { role: 'provider', clientMethods: ['getClient'] } },
  },
};

/** `@nestjs/common` exports many things that are not caches; it alone must not pull a file into analysis. */
const gatingSpecifiers = Object.keys(libraries).filter((s) => s !== '@nestjs/common');

export function libraryFor(specifier: string): LibraryDescriptor | undefined {
  return Object.prototype.hasOwnProperty.call(libraries, specifier) ? libraries[specifier] : undefined;
}

export type LibraryLookup = (specifier: string) => LibraryDescriptor | undefined;

export interface WrapperDeclaration {
  module: string;
  export: string;
  role: Extract<ExportRole, 'instance' | 'factory' | 'constructor' | 'type'>;
  library?: Exclude<CacheLibrary, 'custom'>;
}

/** The known libraries plus in-house wrapper modules declared in configuration. */
export function createLibraryLookup(wrappers: readonly WrapperDeclaration[]): {
  lookup: LibraryLookup;
  gatingSpecifiers: readonly string[];
} {
  if (wrappers.length === 0) return { lookup: libraryFor, gatingSpecifiers };
  const extra = new Map<string, LibraryDescriptor>();
  for (const wrapper of wrappers) {
    const descriptor = extra.get(wrapper.module) ?? { library: wrapper.library ?? 'ioredis', exports: {} };
    descriptor.exports[wrapper.export] = { role: wrapper.role };
    extra.set(wrapper.module, descriptor);
  }
  return {
    lookup: (specifier) => extra.get(specifier) ?? libraryFor(specifier),
    gatingSpecifiers: [...gatingSpecifiers, ...extra.keys()],
  };
}

/** Import specifiers of the cache libraries themselves (what makes a file worth analysing). */
export function knownCacheSpecifiers(): readonly string[] {
  return gatingSpecifiers;
}
