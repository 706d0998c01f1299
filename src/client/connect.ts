/** One place that turns "where" (nothing, a URL, a transport) into an `Environment`. */
import { ClientError } from '../api/errors.ts';
import { HttpEnvironment } from './http.ts';
import { InProcessEnvironment } from './inprocess.ts';
import type { Environment } from '../api/environment.ts';
import { WsEnvironment } from './ws.ts';

export interface ConnectOptions {
  /** Server base URL; without it the environment runs in process. */
  url?: string;
  /** Remote transport (default http). */
  transport?: 'http' | 'ws';
  timeoutMs?: number;
  headers?: Record<string, string>;
  /** API key of a server started with API_KEYS. */
  apiKey?: string;
}

export function openEnvironment(options: ConnectOptions = {}): Environment {
  if (!options.url) {
    if (options.transport === 'ws') {
      throw new ClientError('VALIDATION_ERROR', 'invalid_request', 'the WebSocket transport needs a server URL');
    }
    return new InProcessEnvironment();
  }
  const o = { timeoutMs: options.timeoutMs, headers: options.headers, apiKey: options.apiKey };
  return options.transport === 'ws' ? new WsEnvironment(options.url, o) : new HttpEnvironment(options.url, o);
}
