#include "cli/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"

#ifndef LLMR_VERSION
#define LLMR_VERSION "unknown"
#endif

enum { OPT_HELP = 0x10000, OPT_LIST, OPT_VERSION };

static const char *progname = "llmr";

void llmr_cli_start(const struct llmr_cli *cli)
{
	int fd;

	progname = cli->prog;
	/* As git's sanitize_stdfds: a closed 0, 1 or 2 (a daemon's) would go
	 * to the next file opened, the state database say, and stdin would
	 * then be read as a document, or stdout written into it. */
	while ((fd = open("/dev/null", O_RDWR)) >= 0 && fd <= 2)
		;
	if (fd > 2)
		close(fd);
	/* Sockets must not kill us; a closed stdout is handled at exit as
	 * git does (llmr_cli_exit). */
	signal(SIGPIPE, SIG_IGN);
}

const char *llmr_cli_version(void)
{
	return LLMR_VERSION;
}

const char *llmr_cli_prog(void)
{
	return progname;
}

static void vmsg(const char *fmt, va_list ap)
{
	char buf[1024];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	fprintf(stderr, "%s: %s\n", progname, buf);
}

void llmr_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
}

void llmr_die(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	exit(code);
}

void llmr_cli_usage(FILE *fp, const struct llmr_cli *cli)
{
	const struct llmr_opt *o;
	const char *line = cli->synopsis, *nl;
	int first = 1;

	while (line && *line) {
		nl = strchr(line, '\n');
		fprintf(fp, "%s %s %.*s\n", first ? "usage:" : "   or:", cli->prog,
			nl ? (int)(nl - line) : (int)strlen(line), line);
		first = 0;
		line = nl ? nl + 1 : NULL;
	}
	if (cli->summary)
		fprintf(fp, "\n%s\n", cli->summary);
	fputs("\n", fp);
	for (o = cli->opts; o && o->name; o++) {
		char left[64];

		if (!o->help)
			continue; /* a hidden alias kept for old scripts */
		if (o->key > 0 && o->key < 256)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", o->key, o->name,
				 o->arg ? " " : "", o->arg ? o->arg : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", o->name, o->arg ? " " : "",
				 o->arg ? o->arg : "");
		fprintf(fp, "    %-26s %s\n", left, o->help);
	}
	fprintf(fp, "    %-26s %s\n", "-h, --help", "show this help and exit");
	fprintf(fp, "    %-26s %s\n", "    --version", "print the version and exit");
	if (cli->synopsis && strstr(cli->synopsis, "PROMPT"))
		fputs("\nOptions may follow operands; a prompt that starts with '-' goes after '--'.\n", fp);
}

/* An unknown option, with a hint for the one spelling that moved. */
static _Noreturn void bad_option(int c, char **argv, const struct llmr_cli *cli)
{
	const char *why = c == ':' ? "missing argument" : "unknown option";

	if (optopt > 0 && optopt < 256)
		llmr_warn("-%c: %s%s", optopt, why,
			  optopt == 'c' ? " (-c is --collection; the config file is --config FILE)" : "");
	else
		llmr_warn("%s: %s", argv[optind - 1],
			  c == ':' ? "missing argument" : "unknown or ambiguous option");
	fprintf(stderr, "Try '%s --help' for more information.\n", cli->prog);
	exit(LLMR_EX_USAGE);
}

int llmr_cli_next(int argc, char **argv, const struct llmr_cli *cli)
{
	static struct option lopts[66];
	static char sopts[160];
	static const struct llmr_cli *built;
	const struct llmr_opt *o;
	size_t n = 0, s = 0;
	int c;

	if (built != cli) {
		/* No leading '+': options may follow operands, as GNU tools allow;
		 * "--" ends them. */
		for (o = cli->opts; o && o->name && n < 60; o++, n++) {
			lopts[n].name = o->name;
			lopts[n].has_arg = o->arg ? required_argument : no_argument;
			lopts[n].flag = NULL;
			lopts[n].val = o->key;
			if (o->key > 0 && o->key < 256 && s < sizeof(sopts) - 4) {
				sopts[s++] = (char)o->key;
				if (o->arg)
					sopts[s++] = ':';
			}
		}
		sopts[s++] = 'h';
		lopts[n++] = (struct option){"help", no_argument, NULL, OPT_HELP};
		lopts[n++] = (struct option){"version", no_argument, NULL, OPT_VERSION};
		lopts[n++] = (struct option){"list-options", no_argument, NULL, OPT_LIST};
		lopts[n] = (struct option){NULL, 0, NULL, 0};
		sopts[s] = '\0';
		built = cli;
		opterr = 0;
	}
	c = getopt_long(argc, argv, sopts, lopts, NULL);
	switch (c) {
	case 'h':
	case OPT_HELP:
		llmr_cli_usage(stdout, cli);
		exit(llmr_cli_exit(0));
	case OPT_VERSION:
		printf("%s %s\n", cli->prog, LLMR_VERSION);
		exit(llmr_cli_exit(0));
	case OPT_LIST:
		for (o = cli->opts; o && o->name; o++)
			if (o->help)
				printf("--%s%s\t%s\n", o->name, o->arg ? "=" : "", o->help);
		printf("--help\tshow the help\n--version\tprint the version\n");
		exit(llmr_cli_exit(0));
	case '?':
	case ':':
		bad_option(c, argv, cli);
	}
	return c;
}

/* Whether stdout is a pipe or socket whose reader has gone. */
static bool reader_gone(void)
{
	struct pollfd p = {STDOUT_FILENO, POLLOUT, 0};

	return poll(&p, 1, 0) == 1 && (p.revents & POLLERR);
}

void llmr_cli_check_pipe(int err)
{
	if (err != EPIPE && !(err == 0 && reader_gone()))
		return;
	/* As git and jq do: the reader has all it wanted (| head -1); end
	 * quietly, killed by SIGPIPE as the shell expects (status 141). */
	signal(SIGPIPE, SIG_DFL);
	raise(SIGPIPE);
	_exit(128 + SIGPIPE);
}

int llmr_cli_exit(int code)
{
	int bad = ferror(stdout), err = errno;

	if (fclose(stdout) != 0) {
		bad = 1;
		err = errno;
	}
	if (bad) {
		llmr_cli_check_pipe(err == EPIPE ? EPIPE : 0);
		llmr_warn("cannot write to standard output: %s", strerror(err ? err : EIO));
		return LLMR_EX_IOERR;
	}
	return code;
}

bool llmr_cli_color(FILE *fp)
{
	const char *nc = getenv("NO_COLOR");

	return isatty(fileno(fp)) && !(nc && *nc);
}

long llmr_cli_long(const char *opt, const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0)
		llmr_die(LLMR_EX_USAGE, "%s: '%s' is not a non-negative integer", opt, s);
	return v;
}

bool llmr_prompt_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strchr(" \t\r\n\v\f", s[i]) || !s[i])
			return false;
	return true;
}
