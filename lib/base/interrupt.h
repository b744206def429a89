/*
 * interrupt.h - SIGINT and SIGTERM for the programs that call models. The
 * first signal only raises a flag: the call in flight sees it (through
 * llmr_ask_ctx.cancel), stops within a second, is logged "cancelled" and
 * gives its quota and money holds back at once. A second signal ends the
 * process straight away, as the default action would.
 */
#ifndef LLMR_INTERRUPT_H
#define LLMR_INTERRUPT_H

#include <stdbool.h>
#include <sys/types.h>

/* Install the handlers. restart: let interrupted system calls resume
 * (SA_RESTART); the REPL passes false so that readline's wait for a key
 * returns and its signal hook can clear the line. */
void llmr_interrupt_catch(bool restart);

/* The flag, non-zero once a signal came (borrowed, static). */
const volatile int *llmr_interrupt_flag(void);

/* The signal that raised the flag, or 0. */
int llmr_interrupt_signal(void);

/* The exit status a shell expects after that signal: 128 + its number
 * (130 for SIGINT), or code when none came. */
int llmr_interrupt_exit(int code);

/* In a worker process: its parent passes its own first signal on, which
 * must not count as a second one when the worker already had it. */
void llmr_interrupt_forwarded_by(pid_t parent);

/* Lower the flag again (the REPL, once an answer is stopped). */
void llmr_interrupt_clear(void);

#endif
