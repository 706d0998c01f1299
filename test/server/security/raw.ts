/** A raw TCP client for tests that must misbehave below HTTP (trickled bodies, idle sockets, bad framing). */
import net from 'node:net';

export interface RawConnection {
  socket: net.Socket;
  /** Everything the server sent, once it closed the connection (or `timeoutMs` passed: then `closed` is false). */
  ended(timeoutMs: number): Promise<{ text: string; closed: boolean; afterMs: number }>;
}

export function rawConnect(url: string): Promise<RawConnection> {
  const { port, hostname } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    const started = Date.now();
    let closedAt: number | null = null;
    const closed = new Promise<void>((r) => socket.on('close', () => ((closedAt = Date.now()), r())));
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', () => {});
    socket.once('connect', () =>
      resolve({
        socket,
        async ended(timeoutMs) {
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([closed, new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
          clearTimeout(timer);
          return { text: Buffer.concat(chunks).toString('latin1'), closed: closedAt !== null, afterMs: (closedAt ?? Date.now()) - started };
        },
      }),
    );
    socket.once('error', reject);
  });
}

/** Parses the first HTTP response of `text`: status and JSON body (null when there is none). */
export function firstResponse(text: string): { status: number; headers: string; body: any } {
  const m = /^HTTP\/1\.1 (\d{3})[^\r\n]*\r\n([\s\S]*?)\r\n\r\n([\s\S]*)$/.exec(text);
  if (!m) return { status: 0, headers: '', body: null };
  const length = /content-length: *(\d+)/i.exec(m[2]);
  const bodyText = length ? m[3].slice(0, Number(length[1])) : m[3];
  let body: any = null;
  try {
    body = JSON.parse(bodyText);
  } catch {
    body = bodyText;
  }
  return { status: Number(m[1]), headers: m[2], body };
}

/** Writes `chunks` one by one, `gapMs` apart, until the socket closes or `limit` writes were made. */
export async function trickle(socket: net.Socket, chunk: string, gapMs: number, limit: number): Promise<void> {
  for (let i = 0; i < limit && !socket.destroyed && socket.writable; i++) {
    socket.write(chunk);
    await new Promise((r) => setTimeout(r, gapMs));
  }
}

/** Waits until `condition()` holds (polling, at most `timeoutMs`); returns whether it did. */
export async function eventually(condition: () => boolean, timeoutMs = 2000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}
