/*
 * cli.h - what every cmd/llmr-*.c shares: one option table that drives
 * getopt_long, --help and --list-options (which the bash, zsh and fish
 * completions call, so they cannot drift from the code), messages of the
 * form "llmr-PROG: what: why", and the final stdout check (exit 74).
 */
#ifndef LLMR_CLI_H
#define LLMR_CLI_H

#include <stdbool.h>
#include <stdio.h>

struct llmr_opt {
	const char *name;  /* long name without "--" */
	int key;           /* short letter, or a value >= 256 for long-only */
	const char *arg;   /* argument name ("FILE"), or NULL for a flag */
	const char *help;  /* NULL: a hidden alias, kept for old scripts, in
			    * neither --help, --list-options nor the man page */
};

struct llmr_cli {
	const char *prog;      /* "llmr-ask" */
	const char *synopsis;  /* lines after "usage: ", '\n'-separated */
	const char *summary;   /* one line: what the program does */
	const struct llmr_opt *opts; /* terminated by {NULL, 0, NULL, NULL} */
};

/* Set the program name used in messages. */
void llmr_cli_start(const struct llmr_cli *cli);
const char *llmr_cli_prog(void);

/* The version every program prints for --version ("0.2.0"; the Makefile's
 * VERSION). */
const char *llmr_cli_version(void);

/*
 * Next option, like getopt_long: options may come anywhere among the
 * operands (they are permuted to the end of argv) and "--" ends them.
 * Returns the option's key, -1 at the end. Handles -h/--help (usage on
 * stdout, exit 0), --version (exit 0), --list-options (one option a line,
 * for completions, exit 0), and errors (usage hint on stderr, exit 64).
 * optarg and optind work as with getopt.
 */
int llmr_cli_next(int argc, char **argv, const struct llmr_cli *cli);
void llmr_cli_usage(FILE *fp, const struct llmr_cli *cli);

/* "llmr-PROG: message" on stderr. die exits with code. */
void llmr_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void llmr_die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Flush and close stdout; on failure (a full disk) print the error and
 * return 74, else return code unchanged. A reader that has gone (| head -1)
 * ends the program quietly by SIGPIPE, as git does (the shell sees 141).
 * Call as the last step: return llmr_cli_exit(code). */
int llmr_cli_exit(int code);

/* After a failed write to stdout with errno err: if the reader has gone,
 * end quietly by SIGPIPE; else return. For loops that print forever. */
void llmr_cli_check_pipe(int err);

/* Colour on fp: a TTY and NO_COLOR unset or empty. */
bool llmr_cli_color(FILE *fp);

struct llmr_config;

/*
 * Find and load the config (--config, $LLMR_CONFIG, XDG, /etc, built-in):
 * a new config (llmr_config_free). On errors, print every diagnostic as
 * "llmr-PROG: FILE:LINE:COL: message" and exit 78 (66 for a missing file).
 * *path_out, when not NULL, gets the file used (new string; NULL for the
 * built-in default).
 */
struct llmr_config *llmr_cli_config(const char *explicit_path, char **path_out);

/* Set up coordination (route/coord.h) from cfg, for the programs that
 * share live state; a bad password file ends the program (77). */
void llmr_cli_coordinate(const struct llmr_config *cfg);

/* Parse a non-negative integer option value or die with exit 64. */
long llmr_cli_long(const char *opt, const char *s);

/* Whether s[0..n) holds only white space (spaces, tabs, newlines): a
 * prompt or a query that says nothing. */
bool llmr_prompt_blank(const char *s, size_t n);

#endif
