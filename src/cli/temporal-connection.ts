/**
 * How the client and the worker reach Temporal: address, namespace and TLS from the
 * environment, a short connect timeout, and one clear message when no server answers.
 *
 * Environment: TEMPORAL_ADDRESS (default localhost:7233), TEMPORAL_NAMESPACE (default
 * `default`), TEMPORAL_TLS_CERT + TEMPORAL_TLS_KEY (client certificate, PEM files),
 * TEMPORAL_TLS_CA (server CA, PEM file), TEMPORAL_TLS=1 (TLS with the system CAs).
 */
import { readFileSync } from 'node:fs';
import type { TLSConfig } from '@temporalio/client';
import { ConfigError, ResourceError } from '../errors';

/** Where and how to connect. */
export interface TemporalSettings {
  address: string;
  namespace: string;
  /** Undefined: plain TCP (local development). */
  tls: TLSConfig | undefined;
}

/** Default address of a local server (docker compose or `temporal server start-dev`). */
export const DEFAULT_TEMPORAL_ADDRESS = 'localhost:7233';
/** How long a client waits for the server before giving up. @default 2000 ms */
export const CONNECT_TIMEOUT_MS = 2000;

/**
 * Whether the commands that show local experiments (`experiments list`, `watch`) also ask
 * Temporal: `--temporal` given, or TEMPORAL_ADDRESS set (to anything but blanks).
 */
export function temporalWanted(flag: boolean, env: NodeJS.ProcessEnv = process.env): boolean {
  return flag || nonEmpty(env.TEMPORAL_ADDRESS) !== undefined;
}

/** Reads the settings from `env`; a TLS file that cannot be read is a ConfigError naming the variable. */
export function temporalSettings(env: NodeJS.ProcessEnv = process.env): TemporalSettings {
  const address = nonEmpty(env.TEMPORAL_ADDRESS) ?? DEFAULT_TEMPORAL_ADDRESS;
  const namespace = nonEmpty(env.TEMPORAL_NAMESPACE) ?? 'default';
  return { address, namespace, tls: tlsFromEnv(env) };
}

function tlsFromEnv(env: NodeJS.ProcessEnv): TLSConfig | undefined {
  const cert = nonEmpty(env.TEMPORAL_TLS_CERT);
  const key = nonEmpty(env.TEMPORAL_TLS_KEY);
  const ca = nonEmpty(env.TEMPORAL_TLS_CA);
  if ((cert === undefined) !== (key === undefined)) {
    throw new ConfigError(`TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY must be set together (got ${cert === undefined ? 'only the key' : 'only the certificate'})`);
  }
  const wanted = cert !== undefined || ca !== undefined || ['1', 'true'].includes(env.TEMPORAL_TLS ?? '');
  if (!wanted) return undefined;
  return {
    ...(ca === undefined ? {} : { serverRootCACertificate: readPem('TEMPORAL_TLS_CA', ca) }),
    ...(cert === undefined || key === undefined ? {} : { clientCertPair: { crt: readPem('TEMPORAL_TLS_CERT', cert), key: readPem('TEMPORAL_TLS_KEY', key) } }),
  };
}

function readPem(variable: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new ConfigError(`${variable}: ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/** The error every command reports when the server does not answer: what to do next. */
export function serverUnreachable(address: string, cause: unknown): ResourceError {
  const reason = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
  return new ResourceError(
    [
      `cannot reach the Temporal server at ${address} (${reason}).`,
      'Start one with `docker compose up -d` in the repository root (docs/operations.md),',
      'or `temporal server start-dev` (see docs/operations.md for the search attributes to register),',
      'or set TEMPORAL_ADDRESS; to run without Temporal use `npm run experiment -- <config.json>`.',
    ].join('\n'),
    { cause },
  );
}

/** Connects a client, failing within `timeoutMs` with {@link serverUnreachable}. */
export async function connectClient(settings: TemporalSettings, timeoutMs = CONNECT_TIMEOUT_MS): Promise<import('@temporalio/client').Client> {
  const { Client, Connection } = await import('@temporalio/client');
  try {
    const connection = await Connection.connect({ address: settings.address, tls: settings.tls, connectTimeout: timeoutMs });
    return new Client({ connection, namespace: settings.namespace });
  } catch (error) {
    throw serverUnreachable(settings.address, error);
  }
}
