/**
 * Creates onnxruntime-node inference sessions with the project's execution settings and an
 * honest report of the provider actually used.
 *
 * onnxruntime does not fall back by itself: `executionProviders: ['cuda', 'cpu']` throws when
 * the CUDA provider libraries are missing (the package's CUDA postinstall is skipped on CPU
 * hosts). So CUDA is tried alone and, when it fails, the session is recreated on CPU and the
 * reason is returned.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { ResourceError } from '../errors';
import { CUDA_INSTALL_COMMAND } from './install-commands';

/** Requested execution device. */
export type Device = 'auto' | 'cpu' | 'cuda';

/** Options of {@link createSession}. */
export interface SessionSettings {
  /** 'auto' tries CUDA and uses CPU when CUDA cannot be loaded; 'cuda' does the same but reports the fallback. */
  device: Device;
  /** Intra-op threads (inter-op is always 1: our graphs are one long dependency chain). */
  threads: number;
  /** Write an onnxruntime profile (JSON) with this file prefix. */
  profilePrefix?: string;
}

/** What a session runs on. */
export interface SessionIdentity {
  provider: 'cpu' | 'cuda';
  /** Why CUDA was not used although it was requested or tried; null otherwise. */
  fallbackReason: string | null;
  threads: number;
}

/** A created session and what it runs on. */
export interface CreatedSession {
  session: ort.InferenceSession;
  identity: SessionIdentity;
}

const require = createRequire(import.meta.url);

// Set once CUDA failed to load, so later sessions go straight to CPU with the same reason.
let cudaFailure: string | null = null;

/** The onnxruntime-node version in use (`env.versions.node`). */
export function onnxruntimeVersion(): string {
  return ort.env.versions.node ?? ort.env.versions.common;
}

/** Creates a session for `modelBytes`; see the module comment for the CUDA fallback. */
export async function createSession(modelBytes: Uint8Array, settings: SessionSettings): Promise<CreatedSession> {
  if (!(Number.isInteger(settings.threads) && settings.threads >= 1)) {
    throw new RangeError(`createSession: threads must be a positive integer, got ${settings.threads}`);
  }
  let fallbackReason: string | null = null;
  if (settings.device !== 'cpu') {
    fallbackReason = cudaFailure ?? missingCudaLibraries();
    if (fallbackReason === null) {
      try {
        const session = await ort.InferenceSession.create(modelBytes, sessionOptions(settings, 'cuda'));
        return { session, identity: { provider: 'cuda', fallbackReason: null, threads: settings.threads } };
      } catch (error) {
        fallbackReason = `CUDA execution provider unavailable: ${firstLine(error)}`;
        // A missing provider library stays missing for the life of the process.
        if (/load|librar|provider/i.test(fallbackReason)) cudaFailure = fallbackReason;
      }
    }
  }
  try {
    const session = await ort.InferenceSession.create(modelBytes, sessionOptions(settings, 'cpu'));
    return { session, identity: { provider: 'cpu', fallbackReason, threads: settings.threads } };
  } catch (error) {
    throw new ResourceError(`onnxruntime could not create a CPU session: ${firstLine(error)}`, { cause: error });
  }
}

/**
 * Why CUDA cannot load, found without asking onnxruntime (whose failed attempt logs an error
 * line that no log level silences): the provider libraries sit beside the native binding only
 * when the package's CUDA install step ran. Null when they are present.
 */
function missingCudaLibraries(): string | null {
  const bindingDir = join(dirname(require.resolve('onnxruntime-node')), '..', 'bin', 'napi-v6', process.platform, process.arch);
  if (existsSync(join(bindingDir, 'libonnxruntime_providers_cuda.so'))) return null;
  return `CUDA execution provider unavailable: its libraries are not installed in ${bindingDir} (on a GPU host run: ${CUDA_INSTALL_COMMAND})`;
}

function sessionOptions(settings: SessionSettings, provider: 'cpu' | 'cuda'): ort.InferenceSession.SessionOptions {
  const options: ort.InferenceSession.SessionOptions = {
    executionProviders: [provider],
    intraOpNumThreads: settings.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    // A failed CUDA attempt is expected on CPU hosts and reported through the identity instead.
    logSeverityLevel: provider === 'cuda' ? 4 : 2,
  };
  if (settings.profilePrefix !== undefined) {
    options.enableProfiling = true;
    options.profileFilePrefix = settings.profilePrefix;
  }
  return options;
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0].slice(0, 300);
}
