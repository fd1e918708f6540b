import { startDemoServer, type SpawnedRedis } from '../shared/inspector';

/**
 * The throwaway redis-server behind the "Demo Redis" entry: started on first use with the demo keyspace,
 * shared by later inspections, stopped on request or when the extension deactivates.
 */
export class DemoRedis {
  private starting: Promise<SpawnedRedis> | undefined;

  /** The demo server's URL, starting it first when it is not running. */
  async url(): Promise<string> {
    if (!this.starting) {
      const starting = startDemoServer().then((server) => {
        // A server that dies on its own is started again by the next inspection.
        server.process.once('exit', () => {
          if (this.starting === starting) this.starting = undefined;
        });
        return server;
      });
      // A failed start is not remembered: the next attempt (Retry) starts afresh.
      starting.catch(() => {
        if (this.starting === starting) this.starting = undefined;
      });
      this.starting = starting;
    }
    return (await this.starting).url;
  }

  get running(): boolean {
    return this.starting !== undefined;
  }

  /** Stops the server if it runs; resolves once the process has exited. */
  async stop(): Promise<boolean> {
    const starting = this.starting;
    this.starting = undefined;
    if (!starting) return false;
    try {
      const server = await starting;
      await server.stop();
      return true;
    } catch {
      return false;
    }
  }
}
