/* fuzz_gemini.c - fuzz_adapter.c for the gemini adapter. */
#define FUZZ_ADAPTER llmr_adapter_gemini
#include "fuzz_adapter.c"
