/*
 * cost_prices.c - llmr-cost prices: import a LiteLLM price file, show a
 * model's price history, or the price table in force, as text or JSON
 * lines.
 */
#include "cli/cost_prices.h"

#include <string.h>

#include "cost/prices.h"
#include "cost/report.h"

static void out(FILE *fp, struct llmr_buf *b)
{
	if (b->len)
		fwrite(b->s, 1, b->len, fp);
	llmr_buf_release(b);
}

static void out_json(FILE *fp, json_t *o)
{
	json_dumpf(o, fp, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12));
	fputc('\n', fp);
	json_decref(o);
}

int llmr_cli_cost_prices(FILE *fp, struct llmr_state *st, struct llmr_config *cfg, int argc,
			 char **argv, bool add, int64_t now, bool json, struct llmr_err *e)
{
	struct llmr_pricebook pb;
	struct llmr_price_row *rows;
	struct llmr_buf b = LLMR_BUF_INIT;
	size_t n, i;

	if (argc > 0 && !strcmp(argv[0], "import")) {
		struct llmr_price_import c;

		if (argc != 2)
			return llmr_errf(e, LLMR_EX_USAGE, "prices import: expected one FILE");
		if (llmr_prices_import(st, cfg, argv[1], add, now, &c, e))
			return -1;
		if (json)
			out_json(fp, llmr_price_import_json(&c));
		else
			llmr_price_import_text(&b, &c);
		out(fp, &b);
		return 0;
	}
	if (argc > 0 && strcmp(argv[0], "history"))
		return llmr_errf(e, LLMR_EX_USAGE, "prices: unknown operand '%s'", argv[0]);
	if (argc > 2)
		return llmr_errf(e, LLMR_EX_USAGE, "prices history: expected at most one PROVIDER/MODEL");
	if (llmr_pricebook_load(&pb, cfg, llmr_state_db(st), e))
		return -1;
	if (argc > 0) {
		json_t *arr;

		if (argc == 2 && llmr_names_find(&pb.names, argv[1]) < 0) {
			llmr_pricebook_release(&pb);
			return llmr_errf(e, LLMR_EX_USAGE, "prices history: no model '%s'", argv[1]);
		}
		arr = json_array();
		if (json) {
			llmr_prices_history_json(arr, &pb, argc == 2 ? argv[1] : NULL);
			for (i = 0; i < json_array_size(arr); i++)
				out_json(fp, json_incref(json_array_get(arr, i)));
		} else {
			llmr_prices_history_text(&b, &pb, argc == 2 ? argv[1] : NULL);
		}
		json_decref(arr);
		out(fp, &b);
		llmr_pricebook_release(&pb);
		return 0;
	}
	if (llmr_prices_table(llmr_state_db(st), &pb, &rows, &n, e)) {
		llmr_pricebook_release(&pb);
		return -1;
	}
	if (json)
		for (i = 0; i < n; i++)
			out_json(fp, llmr_price_row_json(&rows[i]));
	else
		llmr_prices_text(&b, rows, n);
	out(fp, &b);
	llmr_price_rows_free(rows, n);
	llmr_pricebook_release(&pb);
	return 0;
}
