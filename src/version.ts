/**
 * The package's version (package.json), which the server reports (/health, /metadata, `/`, MCP
 * serverInfo, openenv.yaml) and `dataselectenv --version` prints. Imported as a JSON module, so
 * the bundled server (npm start, the Docker image) carries it inlined and needs no package.json.
 *
 * Not this version: OpenAPI `info.version` stays the protocol's version (API_VERSION, 1.0.0),
 * because OpenEnv's validator derives its API profile `openenv-http/1.x` from it
 * (docs/protocol.md §9; test/protocol/contract.test.ts).
 */
import pkg from '../package.json' with { type: 'json' };

export const PACKAGE_VERSION: string = pkg.version;
