import { createRule } from './create-rule';

export const unusedDirectiveRuleId = 'no-unused-disable';

/**
 * Reports `cachescope-disable` comments that suppress nothing. The engine evaluates directives
 * after every other rule has reported, so this rule has no listeners of its own.
 */
export const noUnusedDisable = createRule<Record<string, never>>({
  name: unusedDirectiveRuleId,
  meta: {
    type: 'suggestion',
    scope: 'file',
    docs: {
      description: 'Report cachescope-disable comments that suppress no finding',
      defaultLevel: 'warn',
    },
    messages: {
      unused: 'Unused cachescope-disable directive (no finding from {{rules}} was reported here).',
      unusedAll: 'Unused cachescope-disable directive (no finding was reported here).',
    },
    fixable: 'code',
    schema: { type: 'object', additionalProperties: false, properties: {} },
  },
  defaultOptions: {},
  create: () => ({}),
});
