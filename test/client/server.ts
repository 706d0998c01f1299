/** Starts the real server on a random local port with an in-memory store, for client tests. */
import { buildApp } from '../../src/server/app.ts';
import { loadConfig } from '../../src/server/config.ts';
import { ContractChecker } from '../../src/protocol/contract.ts';

export interface TestServer {
  url: string;
  close(): Promise<void>;
}

export async function startServer(overrides: Record<string, string | number> = {}): Promise<TestServer> {
  const config = loadConfig({ PORT: 0, HOST: '127.0.0.1', STORE_PATH: ':memory:', ...overrides });
  // Every reply the clients receive is checked against the protocol's schemas (close() fails otherwise).
  const contract = new ContractChecker();
  const { app } = await buildApp({ ...config, logLevel: false, web: false }, { contract });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url,
    close: async () => {
      await app.close();
      contract.assertClean();
    },
  };
}
