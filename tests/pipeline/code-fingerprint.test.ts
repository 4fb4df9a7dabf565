import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fingerprintModules, importSpecifiers } from '../../src/pipeline/code-fingerprint';

function project(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'dcsbm-fp-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe('importSpecifiers', () => {
  it('finds static, re-export, side-effect, multi-line, dynamic and worker imports but not type-only ones', () => {
    const source = [
      "import type { A } from './types';",
      "import { type B, c } from './b';",
      'export * from "./c";',
      "import './side';",
      'import {\n  x,\n  y,\n} from "./multi";',
      "const lazy = await import('./lazy');",
      "new Worker(new URL('./worker.ts', import.meta.url));",
      "import { z } from 'zod';",
    ].join('\n');
    expect(importSpecifiers(source).sort()).toEqual(['./b', './c', './lazy', './multi', './side', './worker.ts', 'zod'].sort());
  });
});

describe('fingerprintModules', () => {
  const files = {
    'src/stage.ts': "import { helper } from './helper';\nimport { z } from 'zod';\nexport const s = helper;",
    'src/helper.ts': "import { deep } from './util/deep';\nexport const helper = deep;",
    'src/util/deep.ts': 'export const deep = 1;',
    'src/other.ts': 'export const other = 2;',
    'node_modules/zod/package.json': '{"name":"zod","version":"9.9.9"}',
  };

  it('covers the transitive local imports and the package versions', () => {
    const root = project(files);
    const fingerprint = fingerprintModules(['src/stage.ts'], root);
    expect(Object.keys(fingerprint.files)).toEqual(['src/helper.ts', 'src/stage.ts', 'src/util/deep.ts']);
    expect(fingerprint.packages).toEqual({ zod: '9.9.9' });
  });

  it('changes when a transitively imported helper changes and not when an unrelated file does', () => {
    const root = project(files);
    const before = fingerprintModules(['src/stage.ts'], root);
    writeFileSync(join(root, 'src/other.ts'), 'export const other = 3;');
    expect(fingerprintModules(['src/stage.ts'], root)).toEqual(before);
    writeFileSync(join(root, 'src/util/deep.ts'), 'export const deep = 2;');
    const after = fingerprintModules(['src/stage.ts'], root);
    expect(after.files['src/util/deep.ts']).not.toBe(before.files['src/util/deep.ts']);
    expect(after.files['src/stage.ts']).toBe(before.files['src/stage.ts']);
  });

  it('names the importing file when an import cannot be resolved', () => {
    const root = project({ 'src/a.ts': "import './missing';" });
    expect(() => fingerprintModules(['src/a.ts'], root)).toThrow(/cannot resolve import '\.\/missing' from .*src\/a\.ts/);
  });
});
