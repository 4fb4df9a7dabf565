/**
 * Loading a config file: read, parse, validate, normalise. Every failure is a ConfigError
 * whose lines name the file or field, the value received and the rule; all problems are
 * reported at once.
 */
import { readFileSync, statSync } from 'node:fs';
import type { z } from 'zod';
import { ConfigError } from '../errors';
import { allowedKeys, closestKey } from './key-suggestions';
import { checkRules } from './rules';
import { experimentConfigSchema, type ExperimentConfig } from './schema';

export interface LoadedConfig {
  config: ExperimentConfig;
  /** Non-fatal remarks (for example p_out >= p_in). */
  warnings: string[];
}

/** Reads and validates a config file. Throws ConfigError naming the file on any problem. */
export function loadConfigFile(path: string): LoadedConfig {
  const text = readConfigText(path);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${path}: not valid JSON (${(error as Error).message})`);
  }
  try {
    return parseConfig(raw);
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError(error.problems.map((p) => `${path}: ${p}`));
    throw error;
  }
}

function readConfigText(path: string): string {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(code === 'ENOENT' ? `${path}: no such file` : `${path}: cannot be read (${code})`);
  }
  if (isDirectory) throw new ConfigError(`${path}: is a directory, expected a JSON config file`);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`${path}: cannot be read (${(error as NodeJS.ErrnoException).code})`);
  }
  if (text.trim() === '') throw new ConfigError(`${path}: is empty, expected a JSON config object`);
  return text;
}

/** Validates an already parsed JSON value. Throws ConfigError listing every problem. */
export function parseConfig(raw: unknown): LoadedConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError(`<root>: ${describe(raw)} — a config must be a JSON object`);
  }
  const parsed = experimentConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.flatMap((issue) => formatIssue(issue, raw)));
  }
  const { errors, warnings } = checkRules(parsed.data);
  if (errors.length > 0) throw new ConfigError(errors);
  return { config: parsed.data, warnings };
}

function formatIssue(issue: z.core.$ZodIssue, raw: unknown): string[] {
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    const allowed = allowedKeys(path);
    return issue.keys.map((key) => {
      const suggestion = closestKey(key, allowed);
      const hint = suggestion === null ? `allowed here: ${allowed.join(', ')}` : `did you mean '${suggestion}'?`;
      return `${[...path, key].join('.')}: unknown key — ${hint} (docs/configuration.md)`;
    });
  }
  const value = valueAt(raw, path);
  return [`${path.join('.') || '<root>'}: ${describe(value)} — ${issue.message}`];
}

function valueAt(raw: unknown, path: string[]): unknown {
  let node: unknown = raw;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function describe(value: unknown): string {
  if (value === undefined) return '(missing)';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
