/** The LLM agent runner as a library. */
export { FALLBACK_ACTION, parseModelAnswer, extractActionObject, jsonCandidates, type ParsedAnswer, type ParseStatus } from './parse.ts';
export { systemPrompt, userPrompt } from './prompt.ts';
export { OpenAIChatModel, ModelError, isTransient, type ChatModel, type ChatMessage, type ModelOptions, type RetryInfo } from './model.ts';
export { runAgent, runAgentEpisode, AgentAbort, formatAction, type AgentEpisode, type AgentReport, type AgentStep, type AgentRunOptions } from './runner.ts';
export { resolveAgentSettings, ConfigError, type AgentFlags, type AgentSettings } from './config.ts';
