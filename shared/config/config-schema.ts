import type { AnyRule } from '../analyzer/rules/create-rule';

const level = { enum: ['off', 'warn', 'error', 0, 1, 2] };

/**
 * The JSON schema of `.cachescoperc.json`, built from each rule's own option schema so the
 * published schema (schema/cachescoperc.schema.json) cannot drift from the rules.
 */
export function buildConfigSchema(rules: readonly AnyRule[]): Record<string, unknown> {
  const ruleProperties: Record<string, unknown> = {};
  for (const rule of [...rules].sort((a, b) => a.name.localeCompare(b.name))) {
    ruleProperties[rule.name] = {
      description: `${rule.meta.docs.description} (default: ${rule.meta.docs.defaultLevel}). ${rule.meta.docs.url}`,
      oneOf: [
        level,
        { type: 'array', items: [level], minItems: 1, maxItems: 1 },
        { type: 'array', items: [level, rule.meta.schema], minItems: 2, maxItems: 2 },
      ],
    };
  }
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://github.com/cachescope/cachescope/blob/main/schema/cachescoperc.schema.json',
    title: 'CacheScope configuration',
    description: 'Configuration of CacheScope, in .cachescoperc.json or the "cachescope" key of package.json.',
    type: 'object',
    additionalProperties: false,
    properties: {
      $schema: { type: 'string' },
      rules: {
        description: 'Rule levels and options: "off" | "warn" | "error", or [level, options].',
        type: 'object',
        additionalProperties: false,
        properties: ruleProperties,
      },
      clients: {
        description: 'In-house wrappers to treat as cache clients, by the module specifier code imports them with.',
        type: 'array',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['module', 'export', 'role'],
          properties: {
            module: { type: 'string', minLength: 1, description: 'Module specifier, e.g. "@acme/cache".' },
            export: { type: 'string', minLength: 1, description: 'Export name; "default" for the default export.' },
            role: {
              enum: ['instance', 'factory', 'constructor', 'type'],
              description: 'instance: the export is a client; factory: calling it returns one; constructor: `new` makes one; type: annotates one.',
            },
            library: {
              enum: ['ioredis', 'node-redis', 'upstash', 'cache-manager', 'keyv'],
              description: 'The client API the wrapper exposes (default ioredis).',
            },
          },
        },
      },
      ignorePatterns: {
        description: 'Gitignore-style patterns of files not to lint, relative to the working directory.',
        type: 'array',
        items: { type: 'string' },
      },
      lintTestFiles: {
        description: 'Also lint test and benchmark files (*.test.*, *.spec.*, test/, tests/, __tests__/, e2e/, benchmark/...) inside linted directories. Default false: they set keys without TTLs and run KEYS on throwaway servers on purpose.',
        type: 'boolean',
      },
      typeInformation: {
        description: 'auto (default): when cache libraries are installed in node_modules, use their typings to recognise clients the import-based analysis cannot follow (wrapper packages, DI containers). off: import-based analysis only.',
        enum: ['auto', 'off'],
      },
      maxFileSize: {
        description: 'Files larger than this many bytes are reported and skipped (default 2 MiB).',
        type: 'integer',
        minimum: 1,
      },
    },
  };
}
