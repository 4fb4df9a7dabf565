/**
 * Facts about the code and machine that produced a result (method.md section 2): git commit
 * with -dirty, package version, runtime versions, host.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, hostname, platform, arch } from 'node:os';
import { join } from 'node:path';

export interface RunMetadata {
  git_commit: string;
  package_version: string;
  node_version: string;
  host: string;
  platform: string;
  cpu_model: string;
  cpu_count: number;
}

/** Short commit of HEAD, `-dirty` when the tree has changes, `unknown` outside git. */
export function gitCommit(projectRoot: string): string {
  try {
    const run = (...args: string[]) =>
      execFileSync('git', args, { cwd: projectRoot, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    const head = run('rev-parse', '--short=12', 'HEAD');
    const dirty = run('status', '--porcelain', '--untracked-files=no') !== '';
    return dirty ? `${head}-dirty` : head;
  } catch {
    return 'unknown';
  }
}

/** The project's package.json version. */
export function packageVersion(projectRoot: string): string {
  try {
    return (JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export function collectRunMetadata(projectRoot: string): RunMetadata {
  const cpuList = cpus();
  return {
    git_commit: gitCommit(projectRoot),
    package_version: packageVersion(projectRoot),
    node_version: process.version,
    host: hostname(),
    platform: `${platform()}-${arch()}`,
    cpu_model: cpuList[0]?.model ?? 'unknown',
    cpu_count: cpuList.length,
  };
}
