#include "base/interrupt.h"

#include <signal.h>
#include <string.h>
#include <sys/types.h>

static volatile int flag;
static volatile sig_atomic_t which;
static volatile pid_t forwarder;

static void on_signal(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	/* A worker told by its parent what it was told itself (a Control-C
	 * reaches the whole process group): that is not a second signal. */
	if (flag && forwarder && si && si->si_code == SI_USER && si->si_pid == forwarder)
		return;
	/* The second one: the default action, now (the signal is blocked
	 * while this handler runs, so it lands as soon as it returns). */
	if (flag) {
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	which = sig;
	flag = 1;
}

void llmr_interrupt_catch(bool restart)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_signal;
	/* One handler at a time: a SIGTERM landing inside the SIGINT handler
	 * must see the flag raised, so it counts as the second signal. */
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGINT);
	sigaddset(&sa.sa_mask, SIGTERM);
	sa.sa_flags = SA_SIGINFO | (restart ? SA_RESTART : 0);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

const volatile int *llmr_interrupt_flag(void)
{
	return &flag;
}

int llmr_interrupt_signal(void)
{
	return flag ? (int)which : 0;
}

int llmr_interrupt_exit(int code)
{
	return flag ? 128 + (int)which : code;
}

void llmr_interrupt_forwarded_by(pid_t parent)
{
	forwarder = parent;
}

void llmr_interrupt_clear(void)
{
	flag = 0;
	which = 0;
}
