/** The readable log format and the start-up URLs (src/server/log.ts). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatLogLine, servedUrls, textLogStream } from '../../src/server/log.ts';

describe('text log format', () => {
  test('a pino record becomes one line: time, level, message, extra fields', () => {
    const t = new Date(2026, 0, 2, 3, 4, 5, 6).getTime();
    const line = formatLogLine(JSON.stringify({ level: 40, time: t, pid: 1, hostname: 'h', reqId: 'req-1', msg: 'slow reply', ms: 12.5 }));
    assert.equal(line, '03:04:05.006 WARN  slow reply reqId=req-1 ms=12.5\n');
  });

  test('an error record shows its stack indented under the line', () => {
    const line = formatLogLine(JSON.stringify({ level: 50, time: 0, msg: 'internal error', err: { type: 'Error', message: 'boom', stack: 'Error: boom\n    at x (y.ts:1:1)' } }));
    const [first, ...rest] = line.trimEnd().split('\n');
    assert.match(first!, /^\d\d:\d\d:\d\d\.\d{3} ERROR internal error$/);
    assert.deepEqual(rest, ['    Error: boom', '        at x (y.ts:1:1)']);
  });

  test('strings with spaces are quoted; a line that is not JSON passes through', () => {
    assert.match(formatLogLine(JSON.stringify({ level: 30, time: 0, msg: 'm', url: '/a b' })), /url="\/a b"\n$/);
    assert.equal(formatLogLine('plain text'), 'plain text\n');
  });

  test('the stream splits chunks into records', () => {
    const out: string[] = [];
    textLogStream({ write: (c: string) => out.push(c) }).write('{"level":30,"time":0,"msg":"a"}\n{"level":20,"time":0,"msg":"b"}\n');
    assert.equal(out.length, 2);
    assert.match(out[0]!, /INFO  a\n$/);
    assert.match(out[1]!, /DEBUG b\n$/);
  });
});

describe('served URLs', () => {
  test('a wildcard bind is shown as localhost; the console only when served', () => {
    assert.deepEqual(servedUrls({ address: '0.0.0.0', family: 'IPv4', port: 7860 }, true), {
      api: 'http://localhost:7860/',
      docs: 'http://localhost:7860/docs',
      console: 'http://localhost:7860/web',
    });
    assert.equal(servedUrls({ address: '127.0.0.1', family: 'IPv4', port: 1 }, false).console, null);
    assert.equal(servedUrls({ address: '::1', family: 'IPv6', port: 8 }, false).api, 'http://[::1]:8/');
  });
});
