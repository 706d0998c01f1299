/**
 * The /web static plugin on its own (no browser): content types, cache headers, traversal
 * attempts and the not-built answer, against a scratch dist directory so the real build is
 * neither needed nor touched.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { buildApp } from '../../src/server/app.ts';
import { testConfig } from '../../src/server/config.ts';
import { safeSegments, webPlugin } from '../../src/server/web.ts';

let scratch: string;
let app: FastifyInstance;

before(async () => {
  scratch = mkdtempSync(path.join(tmpdir(), 'dse-web-'));
  const dist = path.join(scratch, 'dist');
  mkdirSync(path.join(dist, 'assets'), { recursive: true });
  writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>console</title>');
  writeFileSync(path.join(dist, 'assets', 'index-abc123.js'), 'console.log(1)');
  writeFileSync(path.join(dist, 'assets', 'index-abc123.css'), 'body{}');
  writeFileSync(path.join(dist, 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  writeFileSync(path.join(scratch, 'secret.txt'), 'outside the root');
  // A link inside the root that points out of it must not be followed.
  symlinkSync(path.join(scratch, 'secret.txt'), path.join(dist, 'leak.txt'));
  app = Fastify();
  await app.register(webPlugin, { distDir: dist });
  await app.ready();
});

after(async () => {
  await app.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe('web plugin', () => {
  test('GET /web and /web/ serve index.html as revalidated HTML with a CSP', async () => {
    for (const url of ['/web', '/web/', '/web/index.html']) {
      const res = await app.inject({ url });
      assert.equal(res.statusCode, 200, url);
      assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
      assert.equal(res.headers['cache-control'], 'no-cache');
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      assert.match(String(res.headers['content-security-policy']), /connect-src 'self'/);
      assert.match(res.body, /<title>console<\/title>/);
    }
  });

  test('hashed assets get their content type and a year of immutable caching', async () => {
    const js = await app.inject({ url: '/web/assets/index-abc123.js' });
    assert.equal(js.statusCode, 200);
    assert.equal(js.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(js.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(js.body, 'console.log(1)');
    const css = await app.inject({ url: '/web/assets/index-abc123.css' });
    assert.equal(css.headers['content-type'], 'text/css; charset=utf-8');
    const svg = await app.inject({ url: '/web/logo.svg' });
    assert.equal(svg.headers['content-type'], 'image/svg+xml');
    assert.equal(svg.headers['cache-control'], 'no-cache');
  });

  test('HEAD answers like GET without a body', async () => {
    const res = await app.inject({ method: 'HEAD', url: '/web/assets/index-abc123.js' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(res.body, '');
  });

  test('traversal attempts and missing files answer the JSON 404', async () => {
    const urls = [
      '/web/../secret.txt',
      '/web/..%2fsecret.txt',
      '/web/%2e%2e/secret.txt',
      '/web/assets/..%2f..%2fsecret.txt',
      '/web/assets%5c..%5c..%5csecret.txt',
      '/web/leak.txt',
      '/web/assets',
      '/web/assets/',
      '/web/nope.js',
      '/web/index.html%00.js',
    ];
    for (const url of urls) {
      const res = await app.inject({ url });
      assert.equal(res.statusCode, 404, url);
      assert.doesNotMatch(res.body, /outside the root/, url);
      // '/web/../x' is normalised by the router before it reaches the plugin; either way a 404.
      assert.equal(res.json().statusCode ?? 404, 404, url);
    }
  });

  test('safeSegments refuses every segment that could leave the root', () => {
    assert.deepEqual(safeSegments('assets/a.js'), ['assets', 'a.js']);
    for (const bad of ['', '..', 'a/../b', './a', 'a//b', 'a\\b', 'a\0b', 'a/']) assert.equal(safeSegments(bad), null, bad);
  });

  test('a server whose console is not built answers 404 with a hint, not a 500', async () => {
    const bare = Fastify();
    await bare.register(webPlugin, { distDir: path.join(scratch, 'missing') });
    const res = await bare.inject({ url: '/web' });
    await bare.close();
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().code, 'NOT_FOUND');
    assert.match(res.json().detail, /build:web/);
  });

  test('the server started without the console (--no-web) answers 404 on /web', async () => {
    const { app: server } = await buildApp(testConfig({ WEB: false }));
    try {
      for (const url of ['/web', '/web/', '/web/index.html']) {
        const res = await server.inject({ url });
        assert.equal(res.statusCode, 404, url);
        assert.equal(res.json().code, 'NOT_FOUND', url);
      }
    } finally {
      await server.close();
    }
  });
});
