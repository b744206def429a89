/* fuzz_openai.c - fuzz_adapter.c for the openai adapter. */
#define FUZZ_ADAPTER llmr_adapter_openai
#include "fuzz_adapter.c"
