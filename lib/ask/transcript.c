/* The transcripts table: each answered request's prompt and answer. */
#include "ask/transcript.h"

#include <stdlib.h>
#include <string.h>

#include "base/redact.h"

/*
 * llmr_redact makes one line of its input; a prompt keeps its lines, so
 * each line is redacted apart. A redacted token may be longer than what it
 * replaces ("key=x" becomes "key=[redacted]"): four times the line and a
 * margin always holds it.
 */
static char *redact_text(const char *s)
{
	struct llmr_buf out = LLMR_BUF_INIT;
	const char *p = s, *nl;
	char *line;

	llmr_buf_adds(&out, "");
	for (;;) {
		size_t n = (nl = strchr(p, '\n')) ? (size_t)(nl - p) : strlen(p);

		line = llmr_xmalloc(4 * n + 64);
		llmr_redact(line, 4 * n + 64, p, n);
		llmr_buf_adds(&out, line);
		free(line);
		if (!nl)
			break;
		llmr_buf_adds(&out, "\n");
		p = nl + 1;
	}
	return out.s;
}

struct save_ctx {
	struct llmr_state *st;
	const struct llmr_transcript *t;
	char *prompt, *answer;
};

static const char insert_sql[] =
	"INSERT OR REPLACE INTO transcripts (request_id, conversation, ts_ms, route, model,"
	" cost_usd, prompt, answer) VALUES (?,?,?,?,?,?,?,?)";

static int save_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct save_ctx *c = ud;
	const struct llmr_transcript *t = c->t;
	sqlite3_stmt *s;

	(void)db;
	if (llmr_state_stmt(c->st, insert_sql, &s, e) < 0)
		return -1;
	sqlite3_bind_text(s, 1, t->request_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, t->conversation ? t->conversation : t->request_id, -1,
			  SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, t->ts_ms);
	sqlite3_bind_text(s, 4, t->route, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, t->model, -1, SQLITE_STATIC);
	sqlite3_bind_double(s, 6, t->cost_usd);
	sqlite3_bind_text(s, 7, c->prompt, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 8, c->answer, -1, SQLITE_STATIC);
	return llmr_state_step_done(c->st, s, "saving the transcript", e);
}

int llmr_transcript_save(struct llmr_state *st, const struct llmr_config *cfg,
			 const struct llmr_transcript *t, struct llmr_err *e)
{
	struct save_ctx c = {st, t, NULL, NULL};
	int rc;

	if (!cfg->logs_off) {
		c.prompt = redact_text(t->prompt ? t->prompt : "");
		c.answer = redact_text(t->answer ? t->answer : "");
	}
	rc = llmr_state_tx(st, 0, save_fn, &c, e);
	free(c.prompt);
	free(c.answer);
	return rc;
}

static int prepare(struct llmr_state *st, const char *sql, sqlite3_stmt **s, struct llmr_err *e)
{
	if (sqlite3_prepare_v2(llmr_state_db(st), sql, -1, s, NULL) != SQLITE_OK)
		return llmr_state_dberr(st, "reading transcripts", e);
	return 0;
}

static void add_msg(json_t *msgs, const char *role, const unsigned char *text)
{
	json_array_append_new(msgs, json_pack("{s:s, s:s}", "role", role, "content",
					      (const char *)text));
}

int llmr_transcript_history(struct llmr_state *st, const char *cid, json_t **msgs,
			    struct llmr_err *e)
{
	sqlite3_stmt *s;
	size_t rows = 0;
	bool textless = false;
	int rc;

	if (prepare(st, "SELECT prompt, answer FROM transcripts WHERE conversation = ?"
			" ORDER BY ts_ms, rowid", &s, e) < 0)
		return -1;
	sqlite3_bind_text(s, 1, cid, -1, SQLITE_STATIC);
	*msgs = json_array();
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		rows++;
		if (sqlite3_column_type(s, 0) == SQLITE_NULL) {
			textless = true;
			continue;
		}
		add_msg(*msgs, "user", sqlite3_column_text(s, 0));
		add_msg(*msgs, "assistant", sqlite3_column_text(s, 1));
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		rc = llmr_state_dberr(st, "reading transcripts", e);
	else if (!rows)
		rc = llmr_errf(e, LLMR_EX_USAGE, "no conversation '%s' in the state", cid);
	else if (textless)
		rc = llmr_errf(e, LLMR_EX_USAGE,
			       "conversation '%s' was logged without its text (logs: off)", cid);
	else
		return 0;
	json_decref(*msgs);
	*msgs = NULL;
	return rc;
}

int llmr_transcript_last(struct llmr_state *st, char **cid, struct llmr_err *e)
{
	sqlite3_stmt *s;
	int rc;

	*cid = NULL;
	if (prepare(st, "SELECT conversation FROM transcripts ORDER BY ts_ms DESC, rowid DESC"
			" LIMIT 1", &s, e) < 0)
		return -1;
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		*cid = llmr_xstrdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return llmr_state_dberr(st, "reading transcripts", e);
	return 0;
}

static json_t *text_or_null(sqlite3_stmt *s, int col)
{
	if (sqlite3_column_type(s, col) == SQLITE_NULL)
		return json_null();
	return json_string((const char *)sqlite3_column_text(s, col));
}

static json_t *row_json(sqlite3_stmt *s)
{
	json_t *o = json_object();

	json_object_set_new(o, "id", text_or_null(s, 0));
	json_object_set_new(o, "conversation", text_or_null(s, 1));
	json_object_set_new(o, "ts_ms", json_integer(sqlite3_column_int64(s, 2)));
	json_object_set_new(o, "route", text_or_null(s, 3));
	json_object_set_new(o, "model", text_or_null(s, 4));
	json_object_set_new(o, "cost_usd", json_real(sqlite3_column_double(s, 5)));
	json_object_set_new(o, "prompt", text_or_null(s, 6));
	json_object_set_new(o, "answer", text_or_null(s, 7));
	return o;
}

/* Each word a LIKE pattern, its own % and _ and the escape taken literally. */
static char *like_pattern(const char *w)
{
	struct llmr_buf b = LLMR_BUF_INIT;

	llmr_buf_adds(&b, "%");
	for (; *w; w++) {
		if (*w == '%' || *w == '_' || *w == '\\')
			llmr_buf_adds(&b, "\\");
		llmr_buf_add(&b, w, 1);
	}
	llmr_buf_adds(&b, "%");
	return b.s;
}

int llmr_transcript_search(struct llmr_state *st, const char *const *words, size_t nwords,
			   long limit, json_t **out, struct llmr_err *e)
{
	struct llmr_buf sql = LLMR_BUF_INIT;
	sqlite3_stmt *s;
	size_t i;
	int rc;

	llmr_buf_adds(&sql, "SELECT request_id, conversation, ts_ms, route, model, cost_usd,"
			    " prompt, answer FROM transcripts WHERE 1");
	for (i = 0; i < nwords; i++)
		llmr_buf_addf(&sql, " AND (prompt LIKE ?%zu ESCAPE '\\' OR answer LIKE ?%zu"
				    " ESCAPE '\\')", i + 1, i + 1);
	llmr_buf_addf(&sql, " ORDER BY ts_ms DESC, rowid DESC LIMIT %ld", limit > 0 ? limit : -1L);
	rc = prepare(st, sql.s, &s, e);
	llmr_buf_release(&sql);
	if (rc < 0)
		return -1;
	for (i = 0; i < nwords; i++)
		sqlite3_bind_text(s, (int)i + 1, like_pattern(words[i]), -1, free);
	*out = json_array();
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		json_array_append_new(*out, row_json(s));
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		json_decref(*out);
		*out = NULL;
		return llmr_state_dberr(st, "reading transcripts", e);
	}
	return 0;
}

/* The question the request asked: its prompt, or its last user message. */
static const char *question(const struct llmr_ask_req *req)
{
	size_t i;

	if (req->prompt)
		return req->prompt;
	for (i = json_array_size(req->messages); i > 0; i--) {
		json_t *m = json_array_get(req->messages, i - 1);
		const char *role = json_string_value(json_object_get(m, "role"));

		if (role && !strcmp(role, "user"))
			return json_string_value(json_object_get(m, "content"));
	}
	return "";
}

void llmr_ask_transcript(struct llmr_ask_ctx *ctx, const struct llmr_ask_req *req, json_t *resp)
{
	struct llmr_transcript t;
	struct llmr_err e = {0, ""};
	const char *id = json_string_value(json_object_get(resp, "id"));

	if (!ctx->st || !id || json_object_get(resp, "error"))
		return;
	memset(&t, 0, sizeof(t));
	t.request_id = id;
	t.conversation = req->conversation ? req->conversation : id;
	t.ts_ms = llmr_now_ms();
	t.route = json_string_value(json_object_get(resp, "route"));
	t.model = json_string_value(json_object_get(resp, "model"));
	t.cost_usd = json_number_value(json_object_get(resp, "cost_usd"));
	t.prompt = question(req);
	t.answer = json_string_value(json_object_get(resp, "text"));
	/* As with the request log, a failed write must not lose the answer. */
	if (llmr_transcript_save(ctx->st, ctx->cfg, &t, &e) == 0)
		json_object_set_new(resp, "conversation", json_string(t.conversation));
}
