#include "cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"

enum { OPT_HELP = 0x10000, OPT_LIST };

static const char *progname = "llmr";

void llmr_cli_start(const struct llmr_cli *cli)
{
	progname = cli->prog;
	/* A closed pipe is reported as an I/O error at exit, not a signal. */
	signal(SIGPIPE, SIG_IGN);
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

		if (o->key > 0 && o->key < 256)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", o->key, o->name,
				 o->arg ? " " : "", o->arg ? o->arg : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", o->name, o->arg ? " " : "",
				 o->arg ? o->arg : "");
		fprintf(fp, "    %-26s %s\n", left, o->help);
	}
	fprintf(fp, "    %-26s %s\n", "    --help", "show this help and exit");
}

int llmr_cli_next(int argc, char **argv, const struct llmr_cli *cli)
{
	static struct option lopts[64];
	static char sopts[160];
	static const struct llmr_cli *built;
	const struct llmr_opt *o;
	size_t n = 0, s = 0;
	int c;

	if (built != cli) {
		sopts[s++] = '+'; /* stop at the first operand: prompts have dashes */
		for (o = cli->opts; o && o->name && n < 60; o++, n++) {
			lopts[n].name = o->name;
			lopts[n].has_arg = o->arg ? required_argument : no_argument;
			lopts[n].flag = NULL;
			lopts[n].val = o->key;
			if (o->key > 0 && o->key < 256 && s < sizeof(sopts) - 3) {
				sopts[s++] = (char)o->key;
				if (o->arg)
					sopts[s++] = ':';
			}
		}
		lopts[n++] = (struct option){"help", no_argument, NULL, OPT_HELP};
		lopts[n++] = (struct option){"list-options", no_argument, NULL, OPT_LIST};
		lopts[n] = (struct option){NULL, 0, NULL, 0};
		sopts[s] = '\0';
		built = cli;
		opterr = 0;
	}
	c = getopt_long(argc, argv, sopts, lopts, NULL);
	switch (c) {
	case OPT_HELP:
		llmr_cli_usage(stdout, cli);
		exit(llmr_cli_exit(0));
	case OPT_LIST:
		for (o = cli->opts; o && o->name; o++)
			printf("--%s%s\t%s\n", o->name, o->arg ? "=" : "", o->help);
		printf("--help\tshow the help\n");
		exit(llmr_cli_exit(0));
	case '?':
	case ':':
		if (optopt && optopt < 256)
			llmr_warn("-%c: %s", optopt, c == ':' ? "missing argument" : "unknown option");
		else
			llmr_warn("%s: %s", argv[optind - 1],
				  c == ':' ? "missing argument" : "unknown or ambiguous option");
		fprintf(stderr, "Try '%s --help' for more information.\n", cli->prog);
		exit(LLMR_EX_USAGE);
	}
	return c;
}

int llmr_cli_exit(int code)
{
	int bad = ferror(stdout);

	if (fclose(stdout) != 0)
		bad = 1;
	if (bad) {
		llmr_warn("cannot write to standard output: %s", strerror(errno ? errno : EIO));
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
