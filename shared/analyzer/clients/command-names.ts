/**
 * Method names that can send a command to a cache client, in lower case. Collecting cache calls
 * resolves the receiver of a call only when its method is one of these, so the symbol lookups
 * for `console.log`, `array.map` or `res.json` are never paid.
 */
const redisCommands = `
append auth bgrewriteaof bgsave bitcount bitfield bitfield_ro bitop bitpos blmove blmpop blpop brpop brpoplpush
bzmpop bzpopmax bzpopmin client cluster command config copy dbsize decr decrby del discard dump echo eval eval_ro
evalsha evalsha_ro exec exists expire expireat expiretime failover fcall fcall_ro flushall flushdb function geoadd
geodist geohash geopos georadius georadius_ro georadiusbymember georadiusbymember_ro geosearch geosearchstore get
getbit getdel getex getrange getset hdel hello hexists hexpire hexpireat hexpiretime hget hgetall hgetdel hgetex
hincrby hincrbyfloat hkeys hlen hmget hmset hpersist hpexpire hpexpireat hpexpiretime hpttl hrandfield hscan hset
hsetex hsetnx hstrlen httl hvals incr incrby incrbyfloat info keys lastsave lcs lindex linsert llen lmove lmpop
lolwut lpop lpos lpush lpushx lrange lrem lset ltrim memory mget migrate monitor move mset msetnx multi object
persist pexpire pexpireat pexpiretime pfadd pfcount pfmerge ping psetex psubscribe pttl publish pubsub
punsubscribe quit randomkey readonly readwrite rename renamenx replicaof reset restore role rpop rpoplpush rpush
rpushx sadd save scan scard script sdiff sdiffstore select set setbit setex setnx setrange shutdown sinter
sintercard sinterstore sismember slaveof slowlog smembers smismember smove sort sort_ro spop spublish srandmember
srem sscan ssubscribe strlen subscribe substr sunion sunionstore sunsubscribe swapdb sync time touch ttl type
unlink unsubscribe unwatch wait waitaof watch xack xadd xautoclaim xclaim xdel xgroup xinfo xlen xpending xrange
xread xreadgroup xrevrange xsetid xtrim zadd zcard zcount zdiff zdiffstore zincrby zinter zintercard zinterstore
zlexcount zmpop zmscore zpopmax zpopmin zrandmember zrange zrangebylex zrangebyscore zrangestore zrank zrem
zremrangebylex zremrangebyrank zremrangebyscore zrevrange zrevrangebylex zrevrangebyscore zrevrank zscan zscore
zunion zunionstore
`;

/** Client API methods that are not commands but matter to rules (batches, scripts, raw commands). */
const clientMethods = `
call callbuffer send_command sendcommand pipeline batch duplicate connect scanstream sscanstream hscanstream
zscanstream scaniterator hscaniterator sscaniterator zscaniterator definecommand scriptload createscript
withtypemapping withcommandoptions execaspipeline
`;

/** cache-manager and keyv. */
const cacheApiMethods = `
wrap mdel clear has delete getmany setmany deletemany iterator
`;

const cacheMethodNames: ReadonlySet<string> = new Set(
  `${redisCommands} ${clientMethods} ${cacheApiMethods}`.split(/\s+/).filter(Boolean),
);

/** ioredis also spells every command with a `Buffer` suffix (`getBuffer`, `scanBufferStream`). */
export function isCacheMethodName(method: string): boolean {
  const lower = method.toLowerCase();
  if (cacheMethodNames.has(lower)) return true;
  if (lower.endsWith('buffer')) return cacheMethodNames.has(lower.slice(0, -'buffer'.length));
  return lower === 'scanbufferstream' || lower.endsWith('bufferstream') && cacheMethodNames.has(lower.replace('bufferstream', 'stream'));
}
