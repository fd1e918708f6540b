/**
 * What a normalised cache command does to the entry its key names, shared by the rules that build
 * a picture of the cache (fan-out invalidation) and by the key index behind editor hovers.
 */

/** Commands that store a value under their first argument. */
export const fillCommands: ReadonlySet<string> = new Set(['set', 'setex', 'psetex', 'getset', 'hset', 'hmset', 'json.set']);
/** SET only when absent: locks, idempotency markers, "first writer wins"; never a refresh. */
export const onlyIfAbsentCommands: ReadonlySet<string> = new Set(['setnx', 'hsetnx']);
export const readCommands: ReadonlySet<string> = new Set(['get', 'getex', 'getbuffer', 'mget', 'hget', 'hgetall', 'hmget', 'json.get', 'getmany']);
/** Reads whose every argument is a key. */
export const multiKeyReadCommands: ReadonlySet<string> = new Set(['mget', 'getmany']);
/** Commands whose every argument is a key to remove. */
export const deleteCommands: ReadonlySet<string> = new Set(['del', 'unlink', 'mdel', 'delete', 'deletemany']);
/** Commands that remove the entry named by their first argument. */
export const firstKeyDeleteCommands: ReadonlySet<string> = new Set(['hdel', 'getdel']);
/** Commands that give the key named by their first argument a relative expiry. */
export const relativeExpireCommands: ReadonlySet<string> = new Set(['expire', 'pexpire']);
export const redisFlushCommands: ReadonlySet<string> = new Set(['flushdb', 'flushall']);
export const storeFlushCommands: ReadonlySet<string> = new Set(['reset', 'clear']);
export const scanCommands: ReadonlySet<string> = new Set(['scan', 'scanstream', 'scanbufferstream', 'scaniterator']);
