import type { AnyRule } from './create-rule';
import { noKeysCommand } from './no-keys-command';
import { noUnusedDisable } from './no-unused-disable';

/** Every rule CacheScope ships, in the order their docs list them. */
export const allRules: readonly AnyRule[] = [noKeysCommand, noUnusedDisable];
