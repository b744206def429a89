/* fuzz_ollama.c - fuzz_adapter.c for the ollama adapter. */
#define FUZZ_ADAPTER llmr_adapter_ollama
#include "fuzz_adapter.c"
