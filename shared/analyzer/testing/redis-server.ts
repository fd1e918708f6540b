/**
 * Tests spawn their throwaway redis-server with the same code `cachescope inspect --demo` uses.
 */
export { freePort, startRedis } from '../../inspector/redis-process';
export type { SpawnedRedis } from '../../inspector/redis-process';
