import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import type { AnyRule } from '../analyzer/rules/create-rule';
import type { RuleLevel } from '../analyzer/types';
import { buildConfigSchema } from './config-schema';
import { ConfigFile, defaultMaxFileSize, ResolvedConfig, ResolvedRuleConfig, RuleSetting } from './config-types';

/** A configuration problem the user must fix; the CLI prints it and exits with code 2. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const configFileNames = ['.cachescoperc.json', '.cachescoperc'];

/** Finds the nearest configuration from `startDir` upwards: a `.cachescoperc.json` or package.json's `cachescope` key. */
export function findConfigFile(startDir: string): string | undefined {
  for (let dir = path.resolve(startDir); ; dir = path.dirname(dir)) {
    for (const name of configFileNames) {
      const candidate = path.join(dir, name);
      if (fs.existsSync(candidate)) return candidate;
    }
    const packageJson = path.join(dir, 'package.json');
    if (fs.existsSync(packageJson)) {
      try {
        const parsed = JSON.parse(fs.readFileSync(packageJson, 'utf8')) as Record<string, unknown>;
        if (parsed && typeof parsed === 'object' && 'cachescope' in parsed) return packageJson;
      } catch {
        // A broken package.json that is not ours to read is not a CacheScope configuration.
      }
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

export function readConfigFile(filePath: string): ConfigFile {
  let text: string;
  try {
    text = fs.readFileSync(filePath, 'utf8');
  } catch (error) {
    throw new ConfigError(`Cannot read configuration ${filePath}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`Configuration ${filePath} is not valid JSON: ${(error as Error).message}`);
  }
  if (path.basename(filePath) === 'package.json') parsed = (parsed as Record<string, unknown>).cachescope;
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(`Configuration ${filePath} must be a JSON object.`);
  }
  return parsed as ConfigFile;
}

function levelOf(setting: RuleSetting): RuleLevel {
  const raw = Array.isArray(setting) ? setting[0] : setting;
  if (raw === 0 || raw === 'off') return 'off';
  if (raw === 1 || raw === 'warn') return 'warn';
  return 'error';
}

function optionsOf(setting: RuleSetting): Record<string, unknown> {
  return Array.isArray(setting) && setting.length > 1 ? (setting[1] as Record<string, unknown>) : {};
}

/**
 * Validates a configuration against the published schema (built from the rules' own option
 * schemas) and merges it over every rule's defaults. `overrides` (from `--rule`) win over the file.
 */
export function resolveConfig(
  rules: readonly AnyRule[],
  file: ConfigFile | undefined,
  filePath: string | undefined,
  overrides: Record<string, RuleSetting> = {},
): ResolvedConfig {
  const where = filePath ?? 'the configuration';
  if (file) validate(rules, file, where);
  const known = new Set(rules.map((rule) => rule.name));
  for (const id of Object.keys(overrides)) {
    if (!known.has(id)) throw new ConfigError(`Unknown rule "${id}". Known rules: ${[...known].join(', ')}.`);
  }
  const resolved: Record<string, ResolvedRuleConfig> = {};
  for (const rule of rules) {
    const fromFile = file?.rules?.[rule.name];
    const override = overrides[rule.name];
    let level: RuleLevel = rule.meta.docs.defaultLevel;
    let options: Record<string, unknown> = {};
    if (fromFile !== undefined) {
      level = levelOf(fromFile);
      options = optionsOf(fromFile);
    }
    if (override !== undefined) {
      level = levelOf(override);
      if (Array.isArray(override) && override.length > 1) options = optionsOf(override);
    }
    resolved[rule.name] = { level, options: { ...(rule.defaultOptions as Record<string, unknown>), ...options } };
  }
  return {
    filePath,
    rules: resolved,
    clients: file?.clients ?? [],
    ignorePatterns: file?.ignorePatterns ?? [],
    maxFileSize: file?.maxFileSize ?? defaultMaxFileSize,
    lintTestFiles: file?.lintTestFiles ?? false,
    typeInformation: file?.typeInformation ?? 'auto',
  };
}

function validate(rules: readonly AnyRule[], file: ConfigFile, where: string): void {
  const ajv = new Ajv({ allErrors: true, strict: false });
  const check = ajv.compile(buildConfigSchema(rules));
  if (check(file)) return;
  const problems = (check.errors ?? []).map((error) => {
    const at = error.instancePath ? error.instancePath.replace(/^\//, '').replace(/\//g, '.') : '(root)';
    const extra = error.params && 'additionalProperty' in error.params ? ` "${String(error.params.additionalProperty)}"` : '';
    return `  ${at}: ${error.message ?? 'is invalid'}${extra}`;
  });
  throw new ConfigError(`Invalid configuration in ${where}:\n${[...new Set(problems)].join('\n')}`);
}

/** Loads the configuration that applies to `startDir` (or an explicit file) and resolves it. */
export function loadConfig(
  rules: readonly AnyRule[],
  options: { startDir: string; configPath?: string; overrides?: Record<string, RuleSetting> },
): ResolvedConfig {
  const filePath = options.configPath ? path.resolve(options.configPath) : findConfigFile(options.startDir);
  if (options.configPath && !fs.existsSync(filePath!)) throw new ConfigError(`Configuration file not found: ${options.configPath}`);
  const file = filePath ? readConfigFile(filePath) : undefined;
  return resolveConfig(rules, file, filePath, options.overrides);
}
