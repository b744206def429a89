/*
 * tools.h - private to lib/provider: each protocol's translation of tool
 * definitions, tool calls and the agent parameters (provider_*_tools.c),
 * kept apart from the adapters' text paths.
 */
#ifndef LLMR_PROVIDER_TOOLS_H
#define LLMR_PROVIDER_TOOLS_H

#include <jansson.h>
#include <stdbool.h>

#include "provider/provider.h"

/* OpenAI: add tools, tool_choice, response_format and the sampling
 * parameters to the body o. */
void openai_agent_fields(json_t *o, const struct llmr_chat_req *req);
/* OpenAI: message.tool_calls (delta false) or delta.tool_calls (true). */
int openai_take_tool_calls(const json_t *calls, bool delta, struct llmr_chat_result *r);

/* Anthropic: the messages, with tool_use and tool_result blocks. */
json_t *anthropic_messages(const struct llmr_chat_req *req, struct llmr_err *e);
/* Anthropic: tools, tool_choice, stop_sequences, top_p into root. */
void anthropic_agent_fields(json_t *root, const struct llmr_chat_req *req);

/* Gemini: contents, with functionCall and functionResponse parts. */
json_t *gemini_contents(const struct llmr_chat_req *req, struct llmr_err *e);
/* Gemini: tools and toolConfig into root; sampling and schema into gc. */
void gemini_agent_fields(json_t *root, json_t *gc, const struct llmr_chat_req *req);

/* Ollama: the messages, tool calls with object arguments. */
json_t *ollama_messages(const struct llmr_chat_req *req, struct llmr_err *e);
/* Ollama: tools and format into o, sampling into opts. */
void ollama_agent_fields(json_t *o, json_t *opts, const struct llmr_chat_req *req);

#endif
