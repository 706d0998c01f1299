/**
 * The tool-calling mode's tools and the default mode's structured-output schema, both generated
 * from the protocol module — the same tool list the MCP endpoint publishes (`tools/list`, and
 * `list_tools` over the WebSocket) and the same action schema every transport validates against —
 * so what the model is offered cannot drift from what the server accepts.
 *
 * The runner owns the episode's life cycle (it starts and grades episodes itself), so the model is
 * offered only the tools that act in or read the current episode: `take_action` (select a batch,
 * or stop) and `get_state`. Their `episode_id` argument is dropped: the runner binds the episode.
 */
import { listToolsObservation } from '../protocol/replies.ts';
import { ActionSchema } from '../protocol/wire.ts';
import type { FunctionTool } from './model.ts';

/** The MCP tools the model may call, by name. */
export const AGENT_TOOL_NAMES = ['take_action', 'get_state'] as const;
export type AgentToolName = (typeof AGENT_TOOL_NAMES)[number];

type JsonObject = Record<string, unknown>;

function withoutEpisodeId(schema: JsonObject): JsonObject {
  const s = structuredClone(schema);
  const props = s.properties as JsonObject | undefined;
  if (props) delete props.episode_id;
  if (Array.isArray(s.required)) {
    s.required = (s.required as string[]).filter((k) => k !== 'episode_id');
    if ((s.required as string[]).length === 0) delete s.required;
  }
  return s;
}

/** Chat-completions function tools from the MCP tool list. */
export function agentTools(): FunctionTool[] {
  const published = listToolsObservation().observation.tools;
  return AGENT_TOOL_NAMES.map((name) => {
    const t = published.find((x) => x.name === name);
    if (!t) throw new Error(`the MCP tool list has no '${name}'`);
    return { type: 'function', function: { name: t.name, description: t.description, parameters: withoutEpisodeId(t.input_schema) } };
  });
}

/** The action's JSON schema, for `response_format: {type: "json_schema"}`. */
export function actionResponseSchema(): { name: string; schema: JsonObject } {
  return { name: 'action', schema: JSON.parse(JSON.stringify(ActionSchema)) as JsonObject };
}
