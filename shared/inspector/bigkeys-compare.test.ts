import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { inspectRedis } from './inspect';
import type { SpawnedRedis } from './redis-process';
import type { InspectReport } from './report';
import { redisTestFixtures } from './testing/servers';

/**
 * The inspector's big keys against Redis's own tool on the same data: `redis-cli --bigkeys` names the biggest
 * key of each type with its element count (bytes for strings, STRLEN), and the inspector's list by element count
 * must name the same key with the same count.
 */
const { server, client } = redisTestFixtures();

interface CliBiggest {
  key: string;
  size: number;
  unit: string;
}

/** Parses the summary of `redis-cli --bigkeys` (Redis 7.0): `Biggest   list found '"name"' has 500 items`. */
function parseBigkeysSummary(output: string): { sampled: number; biggest: Map<string, CliBiggest>; counts: Map<string, number> } {
  const summary = output.slice(output.indexOf('-------- summary -------'));
  const sampled = /^Sampled (\d+) keys in the keyspace!$/m.exec(summary);
  const biggest = new Map<string, CliBiggest>();
  for (const match of summary.matchAll(/^Biggest\s+(\S+) found '"(.*)"' has (\d+) (\S+)$/gm)) {
    biggest.set(match[1], { key: match[2], size: Number(match[3]), unit: match[4] });
  }
  const counts = new Map<string, number>();
  // `12 lists with 40 items (...)`: the type name is pluralised with an `s`.
  for (const match of summary.matchAll(/^(\d+) (\S+)s with \d+ \S+ \(/gm)) counts.set(match[2], Number(match[1]));
  return { sampled: Number(sampled?.[1]), biggest, counts };
}

/** The inspector's biggest key of each type, from its big keys by element count. */
function biggestPerType(report: InspectReport): Map<string, { key: string; elements: number }> {
  const biggest = new Map<string, { key: string; elements: number }>();
  for (const entry of report.bigKeys.byElements) {
    const current = biggest.get(entry.type);
    if (entry.elements !== null && (!current || entry.elements > current.elements)) biggest.set(entry.type, { key: entry.key.text, elements: entry.elements });
  }
  return biggest;
}

describe('big keys agree with redis-cli --bigkeys', () => {
  let redis: SpawnedRedis;
  let cli: ReturnType<typeof parseBigkeysSummary>;
  let report: InspectReport;

  beforeAll(async () => {
    redis = await server();
    const writer = client(redis.url);
    const pipeline = writer.pipeline();
    const range = (n: number, label: string) => Array.from({ length: n }, (_, i) => `${label}${i}`);
    // The biggest key of each type, a runner-up one element smaller, and noise of every type.
    pipeline.set('blob:big', 'x'.repeat(5000));
    pipeline.set('blob:runner-up', 'x'.repeat(4999));
    pipeline.rpush('queue:big', ...range(500, 'job'));
    pipeline.rpush('queue:runner-up', ...range(499, 'job'));
    pipeline.hset('profile:big', Object.fromEntries(range(400, 'field').map((field) => [field, 'v'])));
    pipeline.hset('profile:runner-up', Object.fromEntries(range(399, 'field').map((field) => [field, 'v'])));
    pipeline.sadd('tags:big', ...range(300, 'tag'));
    pipeline.sadd('tags:runner-up', ...range(299, 'tag'));
    pipeline.zadd('board:big', ...range(250, 'player').flatMap((member, i) => [i, member]));
    pipeline.zadd('board:runner-up', ...range(249, 'player').flatMap((member, i) => [i, member]));
    for (let i = 0; i < 120; i += 1) pipeline.xadd('events:big', '*', 'n', String(i));
    for (let i = 0; i < 119; i += 1) pipeline.xadd('events:runner-up', '*', 'n', String(i));
    for (let i = 0; i < 300; i += 1) {
      const size = 1 + (i % 5);
      const members = range(size, 'm');
      switch (i % 6) {
        case 0:
          pipeline.set(`noise:${i}`, 'y'.repeat(size), 'EX', 3600);
          break;
        case 1:
          pipeline.rpush(`noise:${i}`, ...members);
          break;
        case 2:
          pipeline.hset(`noise:${i}`, Object.fromEntries(members.map((member) => [member, '1'])));
          break;
        case 3:
          pipeline.sadd(`noise:${i}`, ...members);
          break;
        case 4:
          pipeline.zadd(`noise:${i}`, ...members.flatMap((member, index) => [index, member]));
          break;
        default:
          for (const member of members) pipeline.xadd(`noise:${i}`, '*', 'm', member);
      }
    }
    const results = await pipeline.exec();
    expect(results?.every(([error]) => error === null)).toBe(true);

    const run = spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(redis.port), '--bigkeys'], { encoding: 'utf8', timeout: 60_000 });
    expect(run.status, run.stderr).toBe(0);
    cli = parseBigkeysSummary(run.stdout);
    // 20 rather than the default 10 so that the list holds the biggest key of each of the six types.
    report = await inspectRedis({ url: redis.url, topN: 20 });
  }, 60_000);

  it('read the same keys as redis-cli', () => {
    expect(cli.sampled).toBe(312);
    expect(report.scan.keysScanned).toBe(cli.sampled);
    const inspectorCounts = new Map<string, number>();
    for (const prefix of report.prefixes) for (const [type, count] of Object.entries(prefix.types)) inspectorCounts.set(type, (inspectorCounts.get(type) ?? 0) + count);
    expect(Object.fromEntries(inspectorCounts)).toEqual(Object.fromEntries(cli.counts));
  });

  it('names the same biggest key of each type with the same size', () => {
    expect([...cli.biggest.keys()].sort()).toEqual(['hash', 'list', 'set', 'stream', 'string', 'zset']);
    const inspector = biggestPerType(report);
    for (const [type, expected] of cli.biggest) {
      expect(inspector.get(type), type).toEqual({ key: expected.key, elements: expected.size });
    }
    expect(cli.biggest.get('string')).toEqual({ key: 'blob:big', size: 5000, unit: 'bytes' });
    expect(cli.biggest.get('stream')).toEqual({ key: 'events:big', size: 120, unit: 'entries' });
  });

  it('ranks the overall biggest key by elements first, as its own list does', () => {
    expect(report.bigKeys.byElements[0]).toMatchObject({ key: { text: 'blob:big' }, type: 'string', elements: 5000 });
  });
});
