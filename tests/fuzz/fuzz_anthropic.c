/* fuzz_anthropic.c - fuzz_adapter.c for the anthropic adapter. */
#define FUZZ_ADAPTER llmr_adapter_anthropic
#include "fuzz_adapter.c"
