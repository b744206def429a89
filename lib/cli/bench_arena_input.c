/*
 * bench_arena_input.c - the arena's questions, read with readline when it
 * can be loaded (line editing), else plainly. Ctrl-C or the end of input
 * at any question ends the session: every question returns "stop" then,
 * and what was answered before stays stored.
 */
#include <dlfcn.h>
#include <errno.h>
#include <readline/readline.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/interrupt.h"
#include "cli/bench_arena.h"

#define RL_STR_(x) #x
#define RL_STR(x) RL_STR_(x)

/*
 * readline is loaded, not linked, as the REPL does it (repl.c): only
 * interactive sessions pay for it. Its own signal handling is turned off
 * and characters are read by arena_getc, so that Ctrl-C ends the line at
 * once (SIGINT is caught without SA_RESTART: the read returns EINTR).
 */
static struct {
	char *(*readline)(const char *);
	void (*add_history)(const char *);
} rl;

static int arena_getc(FILE *f)
{
	unsigned char c;

	for (;;) {
		ssize_t n;

		if (llmr_interrupt_signal())
			return EOF;
		n = read(fileno(f), &c, 1);
		if (n == 1)
			return c;
		if (n == 0 || errno != EINTR)
			return EOF;
	}
}

void llmr_arena_input_init(void)
{
	void *h = dlopen("libreadline.so." RL_STR(RL_VERSION_MAJOR), RTLD_NOW | RTLD_LOCAL);
	int *catch_signals;
	int (**getc_fn)(FILE *);

	if (!h)
		return;
	*(void **)&rl.readline = dlsym(h, "readline");
	*(void **)&rl.add_history = dlsym(h, "add_history");
	catch_signals = dlsym(h, "rl_catch_signals");
	getc_fn = dlsym(h, "rl_getc_function");
	if (!rl.readline || !rl.add_history || !catch_signals || !getc_fn) {
		memset(&rl, 0, sizeof(rl));
		return;
	}
	*catch_signals = 0;
	*getc_fn = arena_getc;
}

/* A line without its newline (malloc'd), or NULL at the end of input or
 * after Ctrl-C. */
static char *read_line(FILE *in, FILE *out, const char *prompt)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (llmr_interrupt_signal())
		return NULL;
	if (rl.readline) {
		line = rl.readline(prompt);
		if (line && llmr_interrupt_signal()) {
			free(line);
			line = NULL;
		}
		if (line && *line)
			rl.add_history(line);
		return line;
	}
	fputs(prompt, out);
	fflush(out);
	n = getline(&line, &cap, in);
	if (n < 0 || llmr_interrupt_signal()) {
		free(line);
		return NULL;
	}
	if (n > 0 && line[n - 1] == '\n')
		line[n - 1] = '\0';
	return line;
}

/* The line trimmed in place. */
static char *trim(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		s[--n] = '\0';
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* An integer in lo..hi, an empty line (dflt, when dflt >= lo), or "s" to
 * skip the case; asked again otherwise. */
static int ask_int(FILE *in, FILE *out, const char *prompt, int lo, int hi, int dflt, int *v)
{
	for (;;) {
		char *line = read_line(in, out, prompt), *t, *end;
		long x;

		if (!line)
			return LLMR_ARENA_STOP;
		t = trim(line);
		if (!strcasecmp(t, "s") || !strcasecmp(t, "skip")) {
			free(line);
			return LLMR_ARENA_SKIP;
		}
		x = strtol(t, &end, 10);
		if (!*t && dflt >= lo)
			x = dflt, end = t;
		if ((*t || dflt >= lo) && !*end && x >= lo && x <= hi) {
			*v = (int)x;
			free(line);
			return LLMR_ARENA_OK;
		}
		fprintf(out, "a whole number from %d to %d, please (s skips the rest of this case)\n", lo, hi);
		free(line);
	}
}

int llmr_arena_ask_score(FILE *in, FILE *out, const char *label, struct llmr_arena_input *a)
{
	char prompt[128];
	char *line;
	int rc;

	snprintf(prompt, sizeof(prompt), "Answer %s: score 0-10 (s skips the rest of this case): ", label);
	if ((rc = ask_int(in, out, prompt, 0, 10, -1, &a->score)) != LLMR_ARENA_OK)
		return rc;
	snprintf(prompt, sizeof(prompt),
		 "Answer %s: tags, comma-separated (h hallucination, f format error, i incomplete, "
		 "or your words): ", label);
	if (!(line = read_line(in, out, prompt)))
		return LLMR_ARENA_STOP;
	a->tags = llmr_arena_tags(line);
	free(line);
	snprintf(prompt, sizeof(prompt), "Answer %s: comment: ", label);
	if (!(line = read_line(in, out, prompt)))
		return LLMR_ARENA_STOP;
	a->comment = llmr_xstrdup(trim(line));
	free(line);
	snprintf(prompt, sizeof(prompt), "Answer %s: confidence 1-5 (1 a guess, 5 sure; Enter: 3): ",
		 label);
	return ask_int(in, out, prompt, 1, 5, 3, &a->confidence);
}

int llmr_arena_ask_pref(FILE *in, FILE *out, const char *la, const char *lb, const char **winner)
{
	char prompt[128];

	snprintf(prompt, sizeof(prompt), "Which is better, %s or %s? [%c] %s, [%c] %s, [t] tie, "
		 "[s] skip: ", la, lb, la[0] | 0x20, la, lb[0] | 0x20, lb);
	for (;;) {
		char *line = read_line(in, out, prompt), *t;

		if (!line)
			return LLMR_ARENA_STOP;
		t = trim(line);
		*winner = !strcasecmp(t, la) ? "a" : !strcasecmp(t, lb) ? "b" :
			  !strcasecmp(t, "t") || !strcasecmp(t, "tie") ? "tie" : NULL;
		if (*winner || !strcasecmp(t, "s") || !strcasecmp(t, "skip")) {
			free(line);
			return *winner ? LLMR_ARENA_OK : LLMR_ARENA_SKIP;
		}
		free(line);
	}
}
