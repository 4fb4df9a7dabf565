/**
 * docker-compose.yml and docs/operations.md register exactly the search attributes the
 * workflow upserts, and the compose file validates (when docker-compose is installed; CI
 * installs it in .ci/run).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SEARCH_ATTRIBUTE_REGISTRATIONS } from '../../src/workflows/search-attributes';
import { PROJECT_ROOT } from '../pipeline/helpers';

const compose = readFileSync(join(PROJECT_ROOT, 'docker-compose.yml'), 'utf8');
const operations = readFileSync(join(PROJECT_ROOT, 'docs', 'operations.md'), 'utf8');
const hasDockerCompose = spawnSync('docker-compose', ['version'], { encoding: 'utf8' }).status === 0;

describe('docker-compose.yml', () => {
  it('registers every search attribute with its type', () => {
    for (const { name, type } of SEARCH_ATTRIBUTE_REGISTRATIONS) expect(compose).toContain(`${name}:${type}`);
  });

  it('docs/operations.md gives the same attributes for temporal server start-dev', () => {
    for (const { name, type } of SEARCH_ATTRIBUTE_REGISTRATIONS) expect(operations).toContain(`--search-attribute ${name}=${type}`);
  });

  it('serves the Web UI on 8080 and the frontend on 7233', () => {
    expect(compose).toMatch(/"8080:8080"/);
    expect(compose).toMatch(/"7233:7233"/);
  });

  it.skipIf(!hasDockerCompose)('validates with docker-compose config -q', () => {
    const result = spawnSync('docker-compose', ['-f', 'docker-compose.yml', 'config', '-q'], { cwd: PROJECT_ROOT, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});
