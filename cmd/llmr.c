/*
 * llmr - run llmr-CMD, as git runs git-CMD: "llmr ask ..." is "llmr-ask ...".
 * The program is looked for beside this one first, then in PATH.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "base/util.h"

static const char *const commands[][2] = {
	{"ask", "ask a question: one-shot, REPL or JSON lines batch"},
	{"route", "decide the model for requests, without calling it"},
	{"quota", "provider limits, breakers, budgets"},
	{"cost", "spend reports, forecasts, what-if simulation, prices"},
	{"index", "add documents to a collection"},
	{"search", "hybrid keyword and semantic search"},
	{"bench", "benchmark suites (cron-ready), judged comparisons, ratings; learned routing"},
};

static void usage(FILE *fp)
{
	size_t i;

	fprintf(fp, "usage: llmr COMMAND [ARGS...]\n   or: llmr --version\n\nCommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(fp, "    %-8s %s\n", commands[i][0], commands[i][1]);
	fprintf(fp, "\n'llmr COMMAND --help' shows a command's options; 'man llmr' the overview.\n");
}

/* Try the directory this binary lives in, so a build tree works uninstalled. */
static void exec_beside_self(const char *name, char **argv)
{
	char self[PATH_MAX], path[PATH_MAX + 64];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	if (n <= 0)
		return;
	self[n] = '\0';
	if (!(slash = strrchr(self, '/')))
		return;
	*slash = '\0';
	snprintf(path, sizeof(path), "%s/%s", self, name);
	if (access(path, X_OK) == 0)
		execv(path, argv);
}

int main(int argc, char **argv)
{
	char name[128];

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? LLMR_EX_USAGE : llmr_cli_exit(0);
	}
	if (!strcmp(argv[1], "--version")) {
		printf("llmr %s\n", llmr_cli_version());
		return llmr_cli_exit(0);
	}
	if (!strcmp(argv[1], "--list-commands")) {
		for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
			printf("%s\n", commands[i][0]);
		return llmr_cli_exit(0);
	}
	if (strchr(argv[1], '/') || argv[1][0] == '-' || strlen(argv[1]) > 100) {
		fprintf(stderr, "llmr: '%s' is not a command (see 'llmr --help')\n", argv[1]);
		return LLMR_EX_USAGE;
	}
	snprintf(name, sizeof(name), "llmr-%s", argv[1]);
	argv[1] = name;
	exec_beside_self(name, argv + 1);
	execvp(name, argv + 1);
	if (errno == ENOENT) {
		fprintf(stderr, "llmr: '%s' is not an llmr command (see 'llmr --help')\n", name + 5);
		return LLMR_EX_USAGE;
	}
	fprintf(stderr, "llmr: cannot run '%s': %s\n", name, strerror(errno));
	return LLMR_EX_SOFTWARE;
}
