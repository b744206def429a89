#include "cli/repl.h"

#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "base/interrupt.h"
#include "cli/cli.h"
#include "cli/skip_warn.h"
#include "learn/learned_route.h"
#include "provider/attempt_log.h"

#define HISTORY_MAX 1000

struct repl {
	const struct llmr_config *cfg;
	struct llmr_state *st;
	struct llmr_ask_req req;
	char *model, *route;   /* owned copies of /model and /route */
	json_t *messages;      /* the conversation so far */
	int verbose;
	char conv[64];         /* its id in the state (llmr-ask --cid), or "" */
	struct llmr_learned *learned; /* router.learned, or NULL */
};

char *llmr_repl_history_path(void)
{
	const char *x = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	struct llmr_buf b = LLMR_BUF_INIT;

	if (x && *x)
		llmr_buf_addf(&b, "%s/llmr/history", x);
	else
		llmr_buf_addf(&b, "%s/.local/state/llmr/history", home ? home : ".");
	return llmr_buf_detach(&b);
}

/* mkdir -p for the history file's directory, private to the user. */
static void make_parent(const char *path)
{
	char *dir = llmr_xstrdup(path), *p;

	for (p = dir + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(dir, 0700);
		*p = '/';
	}
	free(dir);
}

static void on_delta(const char *text, size_t n, void *ud)
{
	struct llmr_buf b = LLMR_BUF_INIT;

	(void)ud;
	llmr_sanitize_for_tty(&b, text, n);
	fwrite(b.s, 1, b.len, stdout);
	fflush(stdout);
	llmr_buf_release(&b);
}

static void help(void)
{
	printf("Type a question, or a command:\n"
	       "  /model PROVIDER/MODEL   ask only this model (/model alone: back to the route)\n"
	       "  /route NAME             use this route\n"
	       "  /cost                   what today's and this session's answers cost\n"
	       "  /new                    forget the conversation\n"
	       "  /help                   this list\n"
	       "  /quit                   leave (or Ctrl-D)\n");
}

static void set_owned(char **slot, const char *arg)
{
	free(*slot);
	*slot = arg && *arg ? llmr_xstrdup(arg) : NULL;
}

static void cost(struct repl *r, double session)
{
	struct llmr_err e;
	double usd = 0;
	long n = 0;
	int64_t now = llmr_now_ms();

	if (llmr_state_spend_since(r->st, now - now % 86400000, &usd, &n, &e) < 0) {
		llmr_warn("%s", e.msg);
		return;
	}
	printf("this session: $%.6f; today (UTC): $%.6f over %ld requests\n", session, usd, n);
}

/* Returns 1 to quit. */
static int command(struct repl *r, const char *line, double session)
{
	const char *arg = strchr(line, ' ');
	size_t len = arg ? (size_t)(arg - line) : strlen(line);
	struct llmr_model_ref ref;
	struct llmr_err e;

	while (arg && *arg == ' ')
		arg++;
	if (!strncmp(line, "/quit", len) || !strncmp(line, "/exit", len))
		return 1;
	if (!strncmp(line, "/help", len)) {
		help();
	} else if (!strncmp(line, "/model", len)) {
		if (arg && *arg && llmr_config_resolve(r->cfg, arg, &ref, &e) < 0)
			llmr_warn("%s", e.msg);
		else
			set_owned(&r->model, arg);
		printf("model: %s\n", r->model ? r->model : "(the route's chain)");
	} else if (!strncmp(line, "/route", len)) {
		if (arg && *arg && !llmr_config_route(r->cfg, arg))
			llmr_warn("unknown route '%s'", arg);
		else
			set_owned(&r->route, arg);
		printf("route: %s\n", r->route ? r->route : "(default)");
	} else if (!strncmp(line, "/cost", len)) {
		cost(r, session);
	} else if (!strncmp(line, "/new", len)) {
		json_array_clear(r->messages);
		r->conv[0] = '\0';
		printf("new conversation\n");
	} else {
		llmr_warn("unknown command '%.*s' (try /help)", (int)len, line);
	}
	return 0;
}

static double ask(struct repl *r, const char *line)
{
	struct llmr_ask_ctx ctx = {r->cfg, r->st, on_delta, NULL, NULL, 0, llmr_interrupt_flag(),
				   r->learned, NULL};
	struct llmr_ask_req req = r->req;
	json_t *resp, *err;
	double usd = 0;
	int code;

	json_array_append_new(r->messages, json_pack("{s:s, s:s}", "role", "user", "content", line));
	req.messages = r->messages;
	req.prompt = NULL;
	req.model = r->model;
	req.route = r->route ? r->route : r->req.route;
	req.stream = true;
	req.conversation = r->conv[0] ? r->conv : NULL;
	resp = llmr_ask(&ctx, &req, &code);
	llmr_cli_warn_skips(resp, false);
	if (code == LLMR_EX_INTERRUPTED) {
		/* Stopped by Ctrl-C: back to the prompt, the conversation as it
		 * was before this question. */
		printf("\n[stopped]\n");
		json_array_remove(r->messages, json_array_size(r->messages) - 1);
		llmr_interrupt_clear();
	} else if ((err = json_object_get(resp, "error"))) {
		llmr_warn("%s", json_string_value(json_object_get(err, "message")));
		/* Drop the unanswered question so the next one stands alone. */
		json_array_remove(r->messages, json_array_size(r->messages) - 1);
	} else {
		const char *text = json_string_value(json_object_get(resp, "text"));

		if (*text && text[strlen(text) - 1] != '\n')
			putchar('\n');
		json_array_append_new(r->messages,
				      json_pack("{s:s, s:s}", "role", "assistant", "content", text));
		usd = json_real_value(json_object_get(resp, "cost_usd"));
		/* Later turns join the first one's conversation. */
		if (!r->conv[0] && json_is_string(json_object_get(resp, "conversation")))
			snprintf(r->conv, sizeof(r->conv), "%s",
				 json_string_value(json_object_get(resp, "conversation")));
		if (r->verbose)
			fprintf(stderr, "[%s, $%.6f, %lld ms]\n",
				json_string_value(json_object_get(resp, "model")), usd,
				(long long)json_integer_value(json_object_get(resp, "latency_ms")));
	}
	json_decref(resp);
	return usd;
}

/*
 * readline is loaded when the REPL starts, not linked: a shared library
 * costs every process that loads it start-up time (~0.4 ms of CPU here),
 * and only the REPL of llmr-ask uses this one. Without it, lines are read
 * plainly, with no editing or history.
 */
#define RL_STR_(x) #x
#define RL_STR(x) RL_STR_(x)

struct rl {
	char *(*readline)(const char *);
	void (*add_history)(const char *);
	void (*using_history)(void);
	void (*stifle_history)(int);
	int (*read_history)(const char *);
	int (*write_history)(const char *);
	/* For Ctrl-C at the prompt (on_signal_event). */
	int (*replace_line)(const char *, int);
	int (*crlf)(void);
	int (*on_new_line)(void);
	void (*redisplay)(void);
	int *catch_signals;                 /* rl_catch_signals */
	int (**signal_event_hook)(void);    /* rl_signal_event_hook */
};

static int rl_load(struct rl *rl)
{
	void *h = dlopen("libreadline.so." RL_STR(RL_VERSION_MAJOR), RTLD_NOW | RTLD_LOCAL);

	memset(rl, 0, sizeof(*rl));
	if (!h)
		return -1;
	/* POSIX lets dlsym's result be read as a function pointer this way. */
	*(void **)&rl->readline = dlsym(h, "readline");
	*(void **)&rl->add_history = dlsym(h, "add_history");
	*(void **)&rl->using_history = dlsym(h, "using_history");
	*(void **)&rl->stifle_history = dlsym(h, "stifle_history");
	*(void **)&rl->read_history = dlsym(h, "read_history");
	*(void **)&rl->write_history = dlsym(h, "write_history");
	*(void **)&rl->replace_line = dlsym(h, "rl_replace_line");
	*(void **)&rl->crlf = dlsym(h, "rl_crlf");
	*(void **)&rl->on_new_line = dlsym(h, "rl_on_new_line");
	*(void **)&rl->redisplay = dlsym(h, "rl_redisplay");
	rl->catch_signals = dlsym(h, "rl_catch_signals");
	rl->signal_event_hook = dlsym(h, "rl_signal_event_hook");
	if (rl->readline && rl->add_history && rl->using_history && rl->stifle_history &&
	    rl->read_history && rl->write_history && rl->replace_line && rl->crlf &&
	    rl->on_new_line && rl->redisplay && rl->catch_signals && rl->signal_event_hook)
		return 0;
	memset(rl, 0, sizeof(*rl));
	return -1;
}

static struct rl *loaded;
static const char *hist_path;

static void save_history(const struct rl *rl, const char *hist)
{
	if (rl->write_history && rl->write_history(hist) == 0)
		chmod(hist, 0600);
}

/* SIGTERM at the prompt ends the session, its history saved. */
static void end_on_term(int sig)
{
	save_history(loaded, hist_path);
	signal(sig, SIG_DFL);
	raise(sig);
}

/*
 * readline calls this when a signal interrupts its wait for a key (the
 * handler does not restart it): Ctrl-C clears the line and draws a fresh
 * prompt, as shells do; SIGTERM ends the session.
 */
static int on_signal_event(void)
{
	int sig = llmr_interrupt_signal();

	if (!sig)
		return 0;
	if (sig != SIGINT)
		end_on_term(sig);
	llmr_interrupt_clear();
	loaded->replace_line("", 0);
	loaded->crlf();
	loaded->on_new_line();
	loaded->redisplay();
	return 0;
}

/* A line without its newline (malloc'd), or NULL at end of input. Without
 * readline, Ctrl-C at the prompt starts a fresh line too. */
static char *read_line(const struct rl *rl, const char *prompt)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (rl->readline)
		return rl->readline(prompt);
	fputs(prompt, stdout);
	fflush(stdout);
	while ((n = getline(&line, &cap, stdin)) < 0 && errno == EINTR &&
	       llmr_interrupt_signal() == SIGINT) {
		llmr_interrupt_clear();
		clearerr(stdin);
		fputs("\n", stdout);
		fputs(prompt, stdout);
		fflush(stdout);
	}
	if (n < 0) {
		if (llmr_interrupt_signal())
			end_on_term(llmr_interrupt_signal());
		free(line);
		return NULL;
	}
	if (n > 0 && line[n - 1] == '\n')
		line[n - 1] = '\0';
	return line;
}

int llmr_repl(const struct llmr_config *cfg, struct llmr_state *st,
	      const struct llmr_ask_req *defaults, int verbose)
{
	struct repl r = {cfg, st, *defaults, NULL, NULL, json_array(), verbose, "", NULL};
	char *hist = llmr_repl_history_path(), *line;
	struct llmr_err e = {0, ""};
	double session = 0;
	struct rl rl;
	int editing = rl_load(&rl) == 0;

	if (defaults->model)
		r.model = llmr_xstrdup(defaults->model);
	/* The tier as llmr-ask's one-shot questions get it; a state that
	 * cannot be read leaves the heuristic in charge, not the user out. */
	if (cfg->router_learned && llmr_learned_load(st, NULL, &r.learned, &e) < 0)
		llmr_warn("%s", e.msg);
	make_parent(hist);
	loaded = &rl;
	hist_path = hist;
	if (editing) {
		rl.using_history();
		rl.stifle_history(HISTORY_MAX);
		rl.read_history(hist);
		/* Our handlers, not readline's: on_signal_event does the rest. */
		*rl.catch_signals = 0;
		*rl.signal_event_hook = on_signal_event;
	}
	llmr_interrupt_catch(false);
	printf("llmr-ask: type /help for commands, Ctrl-D to leave\n");
	while ((line = read_line(&rl, "llmr> "))) {
		char *s = line;

		while (*s == ' ' || *s == '\t')
			s++;
		if (*s) {
			if (editing)
				rl.add_history(s);
			/* Saved before the turn too: a killed session keeps it. */
			save_history(&rl, hist);
			if (*s == '/' ? command(&r, s, session) : (session += ask(&r, s), 0)) {
				free(line);
				break;
			}
			/* After every turn: a killed session loses nothing. */
			save_history(&rl, hist);
		}
		free(line);
	}
	save_history(&rl, hist);
	loaded = NULL;
	hist_path = NULL;
	free(hist);
	free(r.model);
	free(r.route);
	json_decref(r.messages);
	llmr_learned_free(r.learned);
	return 0;
}
