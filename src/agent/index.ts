/** The LLM agent runner as a library. */
export { FALLBACK_ACTION, parseModelAnswer, extractActionObject, jsonCandidates, type ParsedAnswer, type ParseStatus } from './parse.ts';
export { systemPrompt, userPrompt, toolsOpening, historyLines, observationSignals, compactAction, type AnswerMode, type HistoryEntry, type PromptOptions, type TurnContext } from './prompt.ts';
export {
  OpenAIChatModel,
  ModelError,
  isTransient,
  type ChatModel,
  type ChatMessage,
  type ChatRequest,
  type ChatAnswer,
  type CallOptions,
  type FunctionTool,
  type ModelOptions,
  type RetryInfo,
  type StructuredOutput,
  type TokenUsage,
  type ToolCall,
} from './model.ts';
export { AGENT_TOOL_NAMES, agentTools, actionResponseSchema, type AgentToolName } from './tools.ts';
export {
  runAgent,
  runAgentEpisode,
  summariseAgentRun,
  requestChars,
  AgentAbort,
  MAX_READ_TURNS,
  formatAction,
  type AgentEpisode,
  type AgentReport,
  type AgentStep,
  type AgentRunOptions,
  type AgentSummary,
  type ModelCallRecord,
  type ParseOutcome,
  type PromptSize,
  type TokenTotals,
  type TranscriptMessage,
} from './runner.ts';
export { resolveAgentSettings, ConfigError, type AgentFlags, type AgentSettings } from './config.ts';
