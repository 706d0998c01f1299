import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { validateServer } from '../../src/validate/openenv.ts';
import { serverForSuite } from '../server/helpers.ts';
import { runCli } from './run-cli.ts';

/** A minimal fake that answers the five validator requests from a table, to test each criterion. */
async function fake(routes: Record<string, [number, unknown]>): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const r = routes[`${req.method} ${req.url}`];
      res.writeHead(r ? r[0] : 404, { 'content-type': 'application/json' });
      res.end(typeof r?.[1] === 'string' ? r[1] : JSON.stringify(r ? r[1] : { detail: 'Not Found' }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const GOOD: Record<string, [number, unknown]> = {
  'GET /openapi.json': [200, { openapi: '3.1.0', info: { title: 'X', version: '1.0.0' }, paths: { '/reset': {}, '/step': {}, '/state': {} } }],
  'GET /health': [200, { status: 'healthy' }],
  'GET /metadata': [200, { name: 'X', description: 'x' }],
  'GET /schema': [200, { action: {}, observation: {}, state: {} }],
  'POST /mcp': [200, { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'Invalid Request' } }],
};

describe('validate (library)', () => {
  it('all six criteria pass on a conforming server; profile and mode derived', async () => {
    const f = await fake(GOOD);
    try {
      const r = await validateServer(f.url);
      assert.deepEqual(r.criteria.map((c) => [c.id, c.passed]), [
        ['openapi_version_available', true],
        ['health_endpoint', true],
        ['metadata_endpoint', true],
        ['schema_endpoint', true],
        ['mcp_endpoint', true],
        ['mode_endpoint_consistency', true],
      ]);
      assert.equal(r.passed, true);
      assert.equal(r.profile, 'openenv-http/1.x');
      assert.equal(r.mode, 'simulation');
    } finally {
      await f.close();
    }
  });

  it('each criterion fails on its own defect', async () => {
    const f = await fake({
      ...GOOD,
      'GET /openapi.json': [200, { info: { version: '2.0' }, paths: { '/reset': {}, '/step': {} } }],
      'GET /health': [200, { status: 'ok' }],
      'GET /metadata': [200, { name: 'X' }],
      'GET /schema': [200, { action: {}, observation: [] }],
      'POST /mcp': [500, 'oops'],
    });
    try {
      const r = await validateServer(f.url);
      const failed = r.criteria.filter((c) => !c.passed).map((c) => c.id);
      assert.deepEqual(failed, ['health_endpoint', 'metadata_endpoint', 'schema_endpoint', 'mcp_endpoint', 'mode_endpoint_consistency']);
      assert.equal(r.profile, 'openenv-http/2.0');
      assert.match(r.criteria[1].detail, /status "ok"/);
      assert.match(r.criteria[3].detail, /observation, state/);
      assert.match(r.criteria[5].detail, /\/state no/);
    } finally {
      await f.close();
    }
  });
});

describe('validate command (subprocess)', () => {
  const server = serverForSuite();

  it('the real server passes all six criteria: one line each, exit 0', async () => {
    const r = await runCli(['validate', server.url]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.filter((l) => l.startsWith('PASS ')).length, 6, r.stdout);
    assert.match(lines.at(-1)!, /passed: 6\/6 criteria · profile openenv-http\/1\.x · mode simulation/);
  });

  it('an unreachable server fails every criterion, exit 1; --json', async () => {
    const f = await fake({});
    const url = f.url;
    await f.close();
    const r = await runCli(['validate', url, '--json', '--timeout', '1000']);
    assert.equal(r.code, 1);
    const report = JSON.parse(r.stdout);
    assert.equal(report.passed, false);
    assert.equal(report.criteria.length, 6);
    assert.ok(report.criteria.every((c: { passed: boolean }) => !c.passed));
  });
});
