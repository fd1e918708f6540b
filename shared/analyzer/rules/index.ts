import type { AnyRule } from './create-rule';
import { fanoutInvalidation } from './fanout-invalidation';
import { invalidateDontUpdate } from './invalidate-dont-update';
import { noKeysCommand } from './no-keys-command';
import { noUnusedDisable } from './no-unused-disable';
import { requireTtl } from './require-ttl';
import { requireTtlJitter } from './require-ttl-jitter';
import { preferSetWithExpiry } from './prefer-set-with-expiry';

/** Every rule CacheScope ships, in the order their docs list them. */
export const allRules: readonly AnyRule[] = [
  noKeysCommand,
  requireTtl,
  requireTtlJitter,
  invalidateDontUpdate,
  fanoutInvalidation,
  preferSetWithExpiry,
  noUnusedDisable,
];
