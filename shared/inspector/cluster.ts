import type Redis from 'ioredis';
import { ConnectionTarget, withTimeout } from './connection';
import { parseInfo } from './server-info';

/** One line of CLUSTER NODES. */
export interface ClusterNode {
  id: string;
  host: string;
  port: number;
  flags: string[];
  /** The node's master, for replicas. */
  masterId?: string;
  /** Slot ranges as printed (`0-5460`, `5461`), without the migrating/importing entries. */
  slots: string[];
}

/**
 * Parses CLUSTER NODES: `<id> <ip:port@cport[,hostname]> <flags> <master> <ping-sent> <pong-recv> <epoch>
 * <link-state> <slot> ...`. The address is split at its last colon so that IPv6 addresses (printed without
 * brackets) keep their colons.
 */
export function parseClusterNodes(text: string): ClusterNode[] {
  const nodes: ClusterNode[] = [];
  for (const line of text.split(/\r?\n/)) {
    const fields = line.trim().split(' ');
    if (fields.length < 8) continue;
    const address = fields[1].split(',')[0].split('@')[0];
    const colon = address.lastIndexOf(':');
    const port = Number(address.slice(colon + 1));
    if (colon < 0 || !Number.isInteger(port)) continue;
    nodes.push({
      id: fields[0],
      host: address.slice(0, colon),
      port,
      flags: fields[2].split(','),
      masterId: fields[3] === '-' ? undefined : fields[3],
      slots: fields.slice(8).filter((slot) => !slot.startsWith('[')),
    });
  }
  return nodes;
}

/** Masters that serve slots and can be reached: failed, address-less or handshaking nodes hold nothing to read. */
export function reachableMasters(nodes: ClusterNode[]): ClusterNode[] {
  return nodes
    .filter((node) => node.flags.includes('master') && !node.flags.some((flag) => flag === 'fail' || flag === 'noaddr' || flag === 'handshake') && node.host !== '' && node.slots.length > 0)
    .sort((a, b) => (a.host === b.host ? a.port - b.port : a.host < b.host ? -1 : 1));
}

/**
 * The masters of the cluster the client is connected to, or undefined when the server is not in cluster mode
 * (INFO cluster says `cluster_enabled:0`, or INFO or CLUSTER is refused: then the node is inspected alone).
 */
export async function readClusterMasters(client: Redis, timeoutMs: number): Promise<ClusterNode[] | undefined> {
  try {
    const info = parseInfo(await withTimeout(client.info('cluster'), timeoutMs, 'INFO cluster'));
    if (info.get('cluster_enabled') !== '1') return undefined;
    const text = String(await withTimeout(client.call('CLUSTER', 'NODES'), timeoutMs, 'CLUSTER NODES'));
    return reachableMasters(parseClusterNodes(text));
  } catch (error) {
    if (error instanceof Error && error.name === 'ReplyError') return undefined;
    throw error;
  }
}

/** The same credentials and TLS settings as the URL given, at a master's address. */
export function nodeTarget(target: ConnectionTarget, node: ClusterNode): ConnectionTarget {
  const { path: _socketPath, db: _db, ...options } = target.options;
  const host = node.host.includes(':') ? `[${node.host}]` : node.host;
  const scheme = options.tls ? 'rediss:' : 'redis:';
  return { options: { ...options, host: node.host, port: node.port }, display: `${scheme}//${host}:${node.port}` };
}
