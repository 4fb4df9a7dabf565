/**
 * Code fingerprints for cache keys: the transitive local source files a module imports
 * (path -> sha256) and the versions of the npm packages it uses. Editing a helper therefore
 * invalidates exactly the stages whose implementation reaches it.
 *
 * Imports are found by scanning the source text for static `import`/`export ... from`,
 * dynamic `import('...')` and worker entry points `new URL('./x.ts', import.meta.url)`.
 * Type-only imports are skipped: they are erased and cannot change what a stage computes.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';

export interface CodeFingerprint {
  /** Project-relative path (POSIX separators) -> sha256 of the file. */
  files: Record<string, string>;
  /** Package name -> installed version. */
  packages: Record<string, string>;
}

const IMPORT_PATTERNS = [
  // import x from '...'; import { a } from '...'; export * from '...'; (not `import type`)
  /(?:^|[;\n])\s*(?:import|export)(?!\s+type\s)(?:[\s\w{},*$]*?\sfrom\s*)?\s*['"]([^'"]+)['"]/g,
  /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
  /new\s+URL\(\s*['"]([^'"]+)['"]\s*,\s*import\.meta\.url\s*\)/g,
];
const BUILTINS = new Set(builtinModules);
const SOURCE_EXTENSIONS = ['', '.ts', '.tsx', '.js', '.mjs', '/index.ts', '/index.js'];

/** The import specifiers of one source text (type-only imports excluded). */
export function importSpecifiers(source: string): string[] {
  const found = new Set<string>();
  for (const pattern of IMPORT_PATTERNS) {
    for (const match of source.matchAll(pattern)) found.add(match[1]);
  }
  return [...found];
}

/**
 * Fingerprints the entry modules and everything they reach. `projectRoot` anchors the
 * relative paths and the node_modules lookup.
 */
export function fingerprintModules(entries: readonly string[], projectRoot: string): CodeFingerprint {
  const files: Record<string, string> = {};
  const packages: Record<string, string> = {};
  const queue = entries.map((entry) => resolve(projectRoot, entry));
  const seen = new Set<string>();
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const source = readFileSync(file);
    files[toPosix(relative(projectRoot, file))] = createHash('sha256').update(source).digest('hex');
    for (const specifier of importSpecifiers(source.toString('utf8'))) {
      if (specifier.startsWith('.') || specifier.startsWith('/')) {
        queue.push(resolveLocal(file, specifier));
      } else {
        const name = packageName(specifier);
        if (name !== null) packages[name] = packageVersion(name, projectRoot);
      }
    }
  }
  return { files: sortKeys(files), packages: sortKeys(packages) };
}

function resolveLocal(fromFile: string, specifier: string): string {
  const base = resolve(dirname(fromFile), specifier);
  // TypeScript sources may import './x.js' meaning './x.ts'.
  const candidates = [...SOURCE_EXTENSIONS.map((ext) => base + ext), base.replace(/\.js$/, '.ts')];
  const found = candidates.find((candidate) => existsSync(candidate) && statSync(candidate).isFile());
  if (found === undefined) {
    throw new Error(`code fingerprint: cannot resolve import '${specifier}' from ${fromFile}`);
  }
  return found;
}

/** `@scope/pkg/sub` -> `@scope/pkg`, `pkg/sub` -> `pkg`; null for node built-ins. */
function packageName(specifier: string): string | null {
  if (specifier.startsWith('node:') || BUILTINS.has(specifier.split('/')[0])) return null;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function packageVersion(name: string, projectRoot: string): string {
  const manifest = join(projectRoot, 'node_modules', name, 'package.json');
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
  } catch {
    return 'not-installed';
  }
}

function toPosix(path: string): string {
  return path.split(sep).join('/');
}

function sortKeys(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
