import * as vscode from 'vscode';
import { KeyspaceInspection } from '../shared/inspector/inspect';
import type { InspectReport } from '../shared/inspector';
import type { CodeFamily } from '../shared/join/code-families';
import { joinTallyWithReport, type CodeAndLiveReport } from '../shared/join/join';
import { LiveTally } from '../shared/join/live-tally';
import type { RedisAccess } from './redis-access';
import type { RedisConnection } from './redis-connections';

type Progress = (keysScanned: number, dbsize: number | undefined) => void;

/** What the Redis view shows for a connection: the inspector's report, and its join with the workspace's code. */
export interface ConnectionView {
  report: InspectReport;
  /** Absent when the workspace has no cache key families (or the language server is not running). */
  codeAndLive?: CodeAndLiveReport;
}

/** An inspection in progress, with the tally of the workspace's key families that its keys fill. */
interface ConnectionRun {
  inspection: KeyspaceInspection;
  families: CodeFamily[];
  tally?: LiveTally;
}

/**
 * The inspection behind each connection of the Redis view. The first look reads a sample (the
 * `cachescope.inspector.sampleKeys` setting); Scan Whole Keyspace continues the same SCAN from where it
 * stopped, so a cancelled full scan resumes instead of starting over.
 */
export class ConnectionScans {
  private readonly runs = new Map<string, ConnectionRun>();

  constructor(
    private readonly access: RedisAccess,
    /** The workspace's key families, fetched when an inspection starts (the code may have changed since). */
    private readonly codeFamilies: () => Promise<CodeFamily[] | undefined>,
  ) {}

  /** A fresh inspection of the connection, reading at most `sample` keys (all when undefined). */
  async first(connection: RedisConnection, sample: number | undefined, onProgress: Progress, report: (message: string) => void): Promise<ConnectionView> {
    this.runs.delete(connection.name);
    const families = (await this.codeFamilies()) ?? [];
    return await this.access.withServer(
      connection,
      async (address) => {
        const run = this.newRun(connection, families, { ...address, onProgress });
        const inspected = await run.inspection.next({ maxKeys: sample });
        this.runs.set(connection.name, run);
        return this.view(run, inspected);
      },
      report,
    );
  }

  /** Whether the connection's inspection has keys left to scan (false when there is none yet). */
  resumable(connection: RedisConnection): boolean {
    const run = this.runs.get(connection.name)?.inspection;
    return run !== undefined && !run.complete && run.keysScanned > 0;
  }

  /** Scans the rest of the keyspace, continuing the connection's inspection; resolves with what was scanned when cancelled. */
  async rest(connection: RedisConnection, signal: AbortSignal, onProgress: Progress, report: (message: string) => void): Promise<ConnectionView> {
    const run = this.runs.get(connection.name);
    if (run && !run.inspection.complete) return this.view(run, await run.inspection.next({ signal, onProgress }));
    const families = (await this.codeFamilies()) ?? [];
    return await this.access.withServer(
      connection,
      async (address) => {
        const fresh = this.newRun(connection, families, { ...address });
        this.runs.set(connection.name, fresh);
        return this.view(fresh, await fresh.inspection.next({ signal, onProgress }));
      },
      report,
    );
  }

  /** An inspection whose every key also goes to the tally of the workspace's families (when there are any). */
  private newRun(connection: RedisConnection, families: CodeFamily[], options: ConstructorParameters<typeof KeyspaceInspection>[0]): ConnectionRun {
    if (families.length === 0) return { inspection: new KeyspaceInspection(options), families };
    const tally = new LiveTally(families, { keyPrefix: connection.keyPrefix, delimiter: options.delimiter, depth: options.depth });
    return { inspection: new KeyspaceInspection({ ...options, onKey: (record) => tally.onKey(record) }), families, tally };
  }

  private view(run: ConnectionRun, report: InspectReport): ConnectionView {
    if (!run.tally) return { report };
    return { report, codeAndLive: joinTallyWithReport(run.families, run.tally, report) };
  }

  forget(connection?: RedisConnection): void {
    if (connection) this.runs.delete(connection.name);
    else this.runs.clear();
  }
}

/** Turns a VS Code cancellation token into the AbortSignal the inspector core takes. */
export function abortSignalOf(token: vscode.CancellationToken): AbortSignal {
  const controller = new AbortController();
  if (token.isCancellationRequested) controller.abort();
  else token.onCancellationRequested(() => controller.abort());
  return controller.signal;
}
