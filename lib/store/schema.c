#include "store/schema.h"

/*
 * One row per provider attempt. Token counts follow DESIGN.md's usage
 * semantics; cost_usd is computed from the config's prices when the attempt
 * was made, so later price changes never rewrite the past.
 */
static const char core_v1[] =
	"CREATE TABLE requests ("
	" id INTEGER PRIMARY KEY,"
	" request_id TEXT NOT NULL,"
	" attempt INTEGER NOT NULL DEFAULT 1,"
	" ts_ms INTEGER NOT NULL,"
	" route TEXT, priority TEXT, complexity TEXT,"
	" provider TEXT, model TEXT,"
	" status TEXT NOT NULL,"
	" error_message TEXT,"
	" http_status INTEGER,"
	" input_tokens INTEGER NOT NULL DEFAULT 0,"
	" output_tokens INTEGER NOT NULL DEFAULT 0,"
	" cached_tokens INTEGER NOT NULL DEFAULT 0,"
	" cache_write_tokens INTEGER NOT NULL DEFAULT 0,"
	" cost_usd REAL NOT NULL DEFAULT 0,"
	" provider_cost_usd REAL,"
	" latency_ms INTEGER, ttft_ms INTEGER,"
	" fallback_from TEXT, cache TEXT);"
	"CREATE INDEX requests_ts ON requests(ts_ms);"
	"CREATE INDEX requests_rid ON requests(request_id);"
	"CREATE TABLE ratelimits ("
	" provider TEXT NOT NULL, model TEXT NOT NULL DEFAULT '',"
	" seen_ms INTEGER NOT NULL,"
	" req_limit INTEGER, req_remaining INTEGER, req_reset_ms INTEGER,"
	" tok_limit INTEGER, tok_remaining INTEGER, tok_reset_ms INTEGER,"
	" in_tok_limit INTEGER, in_tok_remaining INTEGER, in_tok_reset_ms INTEGER,"
	" out_tok_limit INTEGER, out_tok_remaining INTEGER, out_tok_reset_ms INTEGER,"
	" retry_after_ms INTEGER,"
	" PRIMARY KEY (provider, model));";

/*
 * price_versions: every price a model has had, with the instant it took
 * effect, so savings and simulations reprice each request with the price
 * that held when it was made (logged costs are never rewritten).
 * routing_versions: each applied routing (JSON of every route's chains) with
 * the version it was made from; routing_active names the one in force
 * (0 = the config as written). cost_budgets: caps that the config has no
 * key for (per route, or a total).
 */
static const char cost_v1[] =
	"CREATE TABLE price_versions ("
	" provider TEXT NOT NULL, model TEXT NOT NULL, valid_from_ms INTEGER NOT NULL,"
	" input REAL, output REAL, cached_input REAL, cache_write REAL,"
	" context INTEGER, quality INTEGER, source TEXT,"
	" PRIMARY KEY (provider, model, valid_from_ms));"
	"CREATE TABLE routing_versions ("
	" version INTEGER PRIMARY KEY, parent INTEGER NOT NULL DEFAULT 0,"
	" created_ms INTEGER NOT NULL, note TEXT, routes TEXT NOT NULL);"
	"CREATE TABLE routing_active ("
	" id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL, changed_ms INTEGER);"
	"CREATE TABLE routing_history ("
	" ts_ms INTEGER NOT NULL, action TEXT NOT NULL, from_version INTEGER, to_version INTEGER);"
	"CREATE TABLE cost_budgets ("
	" scope TEXT NOT NULL, name TEXT NOT NULL, usd_per_month REAL NOT NULL,"
	" alert_at REAL NOT NULL DEFAULT 0.8, PRIMARY KEY (scope, name));";

static const char route_v1[] =
	"CREATE TABLE quota_log ("
	" id INTEGER PRIMARY KEY,"
	" provider TEXT NOT NULL, model TEXT NOT NULL DEFAULT '',"
	" t_start INTEGER NOT NULL,"
	" t_end INTEGER NOT NULL," /* lease expiry while held, then the end */
	" tokens INTEGER NOT NULL DEFAULT 0,"
	" held INTEGER NOT NULL DEFAULT 1,"
	" pid INTEGER);"
	"CREATE INDEX quota_log_pe ON quota_log(provider, t_end, tokens, held, model);"
	"CREATE INDEX quota_log_end ON quota_log(t_end);"
	"CREATE TABLE quota_waiters ("
	" id INTEGER PRIMARY KEY, provider TEXT NOT NULL, rank INTEGER NOT NULL,"
	" enq_ms INTEGER NOT NULL, seen_ms INTEGER NOT NULL, pid INTEGER);"
	"CREATE TABLE breakers ("
	" provider TEXT PRIMARY KEY, state INTEGER NOT NULL DEFAULT 0,"
	" failures INTEGER NOT NULL DEFAULT 0, opened_ms INTEGER NOT NULL DEFAULT 0,"
	" probe_until_ms INTEGER NOT NULL DEFAULT 0, updated_ms INTEGER NOT NULL DEFAULT 0,"
	" last_error TEXT);"
	"CREATE TABLE request_budgets ("
	" id TEXT PRIMARY KEY, calls_max INTEGER NOT NULL DEFAULT -1,"
	" usd_max REAL NOT NULL DEFAULT -1, calls_used INTEGER NOT NULL DEFAULT 0,"
	" usd_used REAL NOT NULL DEFAULT 0, usd_held REAL NOT NULL DEFAULT 0,"
	" over_calls INTEGER NOT NULL DEFAULT 0, skipped INTEGER NOT NULL DEFAULT 0,"
	" created_ms INTEGER NOT NULL, closed_ms INTEGER, note TEXT);"
	"CREATE TABLE degrade ("
	" id INTEGER PRIMARY KEY CHECK (id = 1), active INTEGER NOT NULL DEFAULT 0,"
	" since_ms INTEGER NOT NULL DEFAULT 0, checked_ms INTEGER NOT NULL DEFAULT 0,"
	" reason TEXT);";

/*
 * Chunks keep AUTOINCREMENT ids so that an id is never reused: the ANN
 * graph covers "every chunk up to id N" and tombstones stay unambiguous.
 * idx_fts is an external-content FTS5 table kept in step by triggers, so a
 * chunk and its full-text row are written in the same transaction.
 */
static const char index_v1[] =
	"CREATE TABLE idx_collections ("
	" id INTEGER PRIMARY KEY,"
	" name TEXT NOT NULL UNIQUE,"
	" embedder TEXT NOT NULL,"
	" dim INTEGER NOT NULL DEFAULT 0,"
	" created_ms INTEGER NOT NULL);"
	"CREATE TABLE idx_docs ("
	" id INTEGER PRIMARY KEY,"
	" coll INTEGER NOT NULL,"
	" source TEXT NOT NULL,"
	" origin TEXT NOT NULL DEFAULT 'file',"
	" url TEXT, meta TEXT, format TEXT,"
	" size INTEGER NOT NULL DEFAULT -1,"
	" mtime_ns INTEGER NOT NULL DEFAULT -1,"
	" hash TEXT NOT NULL,"
	" bytes INTEGER NOT NULL DEFAULT 0,"
	" nchunks INTEGER NOT NULL DEFAULT 0,"
	" error TEXT,"
	" indexed_ms INTEGER NOT NULL,"
	" UNIQUE (coll, source));"
	"CREATE TABLE idx_chunks ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" doc INTEGER NOT NULL,"
	" coll INTEGER NOT NULL,"
	" seq INTEGER NOT NULL,"
	" pos INTEGER NOT NULL,"
	" heading TEXT NOT NULL DEFAULT '',"
	" text TEXT NOT NULL,"
	" vec BLOB);"
	"CREATE INDEX idx_chunks_doc ON idx_chunks(doc);"
	"CREATE INDEX idx_chunks_coll ON idx_chunks(coll, id);"
	"CREATE VIRTUAL TABLE idx_fts USING fts5(heading, text, content='idx_chunks',"
	" content_rowid='id', tokenize='unicode61 remove_diacritics 2');"
	"CREATE TRIGGER idx_chunks_ai AFTER INSERT ON idx_chunks BEGIN"
	" INSERT INTO idx_fts(rowid, heading, text) VALUES (new.id, new.heading, new.text); END;"
	"CREATE TRIGGER idx_chunks_ad AFTER DELETE ON idx_chunks BEGIN"
	" INSERT INTO idx_fts(idx_fts, rowid, heading, text)"
	" VALUES ('delete', old.id, old.heading, old.text); END;"
	"CREATE TABLE idx_ann_meta ("
	" coll INTEGER PRIMARY KEY,"
	" n INTEGER NOT NULL, entry INTEGER NOT NULL, maxlevel INTEGER NOT NULL,"
	" upto INTEGER NOT NULL, built_ms INTEGER NOT NULL);"
	"CREATE TABLE idx_ann_node ("
	" coll INTEGER NOT NULL, node INTEGER NOT NULL, chunk INTEGER NOT NULL,"
	" level INTEGER NOT NULL, links BLOB NOT NULL,"
	" PRIMARY KEY (coll, node)) WITHOUT ROWID;"
	"CREATE TABLE idx_ann_sk ("
	" coll INTEGER NOT NULL, block INTEGER NOT NULL, data BLOB NOT NULL,"
	" PRIMARY KEY (coll, block)) WITHOUT ROWID;";

static const char budget_v2[] =
	"ALTER TABLE request_budgets ADD COLUMN calls_held INTEGER NOT NULL DEFAULT 0;";

/*
 * The key text is kept beside its hash so that a hash collision can never
 * serve the answer to another question.
 */
static const char cache_v1[] =
	"CREATE TABLE response_cache ("
	" hash TEXT PRIMARY KEY,"
	" key TEXT NOT NULL,"
	" response TEXT NOT NULL,"
	" created_ms INTEGER NOT NULL,"
	" expires_ms INTEGER NOT NULL);"
	"CREATE INDEX response_cache_expires ON response_cache(expires_ms);";

/*
 * Every llmr-ask reads, for each configured provider, the mean latency of
 * its last day of answers (and, with a budget, its month's spend). Through
 * requests_ts that visits every row of the day for each provider, each a
 * seek into the table: 53 ms an ask with 20,000 requests a day over ten
 * providers. This index holds what those queries read, so they stay inside
 * one provider's entries and never touch the table (5 ms for the same).
 */
static const char requests_v2[] =
	"CREATE INDEX requests_provider ON requests"
	"(provider, ts_ms, status, model, latency_ms, cost_usd);"
	/* It covers the month's spend per provider too (step 7's index). */
	"DROP INDEX IF EXISTS requests_provider_spend;";

/*
 * Labelled outcomes (llmr-bench import-outcomes): how well each model
 * answered a prompt, which the learned router reads. A prompt is stored
 * once, so importing a file again replaces scores rather than adding rows.
 */
static const char outcomes_v1[] =
	"CREATE TABLE outcome_prompts ("
	" id INTEGER PRIMARY KEY, prompt TEXT NOT NULL UNIQUE, added_ms INTEGER NOT NULL);"
	"CREATE TABLE outcomes ("
	" prompt INTEGER NOT NULL REFERENCES outcome_prompts(id), model TEXT NOT NULL,"
	" score REAL NOT NULL, PRIMARY KEY (prompt, model)) WITHOUT ROWID;";

/*
 * A model call's estimated cost, held from before the call until its actual
 * cost is in the requests log, so that concurrent calls cannot overspend a
 * cap together (route/spend.h). t_end is the lease of a crashed process.
 */
static const char spend_v1[] =
	"CREATE TABLE spend_holds ("
	" id INTEGER PRIMARY KEY, provider TEXT NOT NULL, route TEXT, budget TEXT,"
	" usd REAL NOT NULL, t_start INTEGER NOT NULL, t_end INTEGER NOT NULL, pid INTEGER);"
	"CREATE INDEX spend_holds_end ON spend_holds(t_end);"
	/* The month's spend per provider and per route is summed inside the
	 * write lock on every call: covering indexes keep that short. */
	"CREATE INDEX requests_provider_spend ON requests(provider, ts_ms, cost_usd);"
	"CREATE INDEX requests_route_spend ON requests(route, ts_ms, cost_usd);";

/*
 * What each answered request said (llmr-cost logs, llmr-ask --continue):
 * the prompt and the answer, keyed by request id, with the conversation it
 * belongs to. Kept apart from requests, which holds one row per attempt
 * and is read on every ask; the text is read only when asked for. With
 * logs: off only the metadata columns are filled, prompt and answer NULL.
 */
static const char transcripts_v1[] =
	"CREATE TABLE transcripts ("
	" request_id TEXT PRIMARY KEY,"
	" conversation TEXT NOT NULL,"
	" ts_ms INTEGER NOT NULL,"
	" route TEXT, model TEXT, cost_usd REAL NOT NULL DEFAULT 0,"
	" prompt TEXT, answer TEXT);"
	"CREATE INDEX transcripts_conv ON transcripts(conversation, ts_ms);"
	"CREATE INDEX transcripts_ts ON transcripts(ts_ms);";

/*
 * Benchmark suites (llmr-bench run, compare, ratings): one row per run,
 * one per case and contestant with what it cost and how it scored, and
 * pairwise results (a judge's or a person's) that the ratings are fitted
 * on. asserts holds each assertion's score and reason as JSON, for
 * reading later, not for querying.
 */
static const char bench_v1[] =
	"CREATE TABLE bench_runs ("
	" id INTEGER PRIMARY KEY, suite TEXT NOT NULL, file TEXT NOT NULL,"
	" kind TEXT NOT NULL, threshold REAL NOT NULL, started_ms INTEGER NOT NULL);"
	"CREATE TABLE bench_results ("
	" run INTEGER NOT NULL REFERENCES bench_runs(id), model TEXT NOT NULL,"
	" case_no INTEGER NOT NULL, answered_by TEXT, prompt TEXT NOT NULL, output TEXT,"
	" error TEXT, cost_usd REAL NOT NULL, latency_ms INTEGER, ttft_ms INTEGER,"
	" output_tps REAL, pass INTEGER NOT NULL, score REAL NOT NULL, weight REAL NOT NULL,"
	" asserts TEXT NOT NULL, PRIMARY KEY (run, model, case_no)) WITHOUT ROWID;"
	"CREATE TABLE bench_pairs ("
	" id INTEGER PRIMARY KEY, run INTEGER REFERENCES bench_runs(id), ts_ms INTEGER NOT NULL,"
	" source TEXT NOT NULL, prompt TEXT NOT NULL, model_a TEXT NOT NULL, model_b TEXT NOT NULL,"
	" winner TEXT NOT NULL CHECK (winner IN ('a', 'b', 'tie')), detail TEXT);";

/*
 * Which client (serve: keys: agent) each request served over HTTP came
 * from, by request id: the requests table stays as every program writes
 * it, and an agent's spend is a join (its monthly cap, the status page).
 */
static const char serve_v1[] =
	"CREATE TABLE serve_agents ("
	" request_id TEXT PRIMARY KEY, agent TEXT NOT NULL, ts_ms INTEGER NOT NULL);"
	"CREATE INDEX serve_agents_ts ON serve_agents(agent, ts_ms);";

/*
 * The semantic cache and the coalescing of identical requests in flight.
 *
 * cache_leases: one row while a process asks a question others wait for;
 * token tells the owner from another thread of the same pid, expires_ms
 * bounds how long a silent owner keeps it (a waiter then takes over).
 *
 * semantic_cache: scope hashes what must match exactly (route, namespace,
 * chain, system prompt, parameters, embedder), guard is the canonical list
 * of the question's numbers, negations, names and units; both are equality
 * filters, so the similarity scan only visits entries that could be hits.
 * semantic_blocks packs the 256-bit sketches of a scope and guard, 512 a
 * row with their entry ids, so that a lookup scans 100,000 sketches in a
 * few hundred row reads rather than one row each; the int8 vector of the
 * few closest is then read from semantic_cache. Ids of expired or purged
 * entries stay in their block until it is rebuilt, which happens each
 * time a group of entries starts a new block.
 *
 * response_cache gains route and namespace for llmr-cost cache purge;
 * requests gains the similarity of a semantic hit.
 */
static const char semcache_v1[] =
	"CREATE TABLE cache_leases ("
	" hash TEXT PRIMARY KEY,"
	" owner_pid INTEGER NOT NULL,"
	" token INTEGER NOT NULL,"
	" expires_ms INTEGER NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE semantic_cache ("
	" id INTEGER PRIMARY KEY,"
	" scope TEXT NOT NULL,"
	" guard TEXT NOT NULL,"
	" expires_ms INTEGER NOT NULL,"
	" sketch BLOB NOT NULL,"
	" route TEXT NOT NULL,"
	" namespace TEXT NOT NULL,"
	" created_ms INTEGER NOT NULL,"
	" question TEXT NOT NULL,"
	" vec BLOB NOT NULL,"
	" response TEXT NOT NULL);"
	"CREATE INDEX semantic_cache_scan ON semantic_cache(scope, guard, expires_ms, sketch);"
	"CREATE TABLE semantic_blocks ("
	" scope TEXT NOT NULL,"
	" guard TEXT NOT NULL,"
	" block INTEGER NOT NULL,"
	" n INTEGER NOT NULL,"
	" ids BLOB NOT NULL,"
	" sketches BLOB NOT NULL,"
	" PRIMARY KEY (scope, guard, block)) WITHOUT ROWID;"
	"CREATE INDEX semantic_cache_expires ON semantic_cache(expires_ms);"
	"CREATE INDEX semantic_cache_route ON semantic_cache(route, namespace);"
	"ALTER TABLE response_cache ADD COLUMN route TEXT;"
	"ALTER TABLE response_cache ADD COLUMN namespace TEXT;"
	"ALTER TABLE requests ADD COLUMN similarity REAL;";

/*
 * The learned router's cache and the loop that closes on it. Each outcome
 * prompt's local embedding (int8) and sketch, under a tag that changes with
 * the embedder, so llmr-route and llmr-ask start without re-embedding ten
 * thousand prompts. routing_pending: the changes llmr-bench recommend
 * proposed, until approved (into a routing version) or rejected.
 * model_quality: quality figures measured from outcomes, laid over the
 * config's as routing versions are.
 */
static const char learn_v2[] =
	"CREATE TABLE outcome_vectors ("
	" prompt INTEGER PRIMARY KEY REFERENCES outcome_prompts(id), tag TEXT NOT NULL,"
	" vec BLOB NOT NULL, sketch BLOB NOT NULL);"
	"CREATE TABLE routing_pending ("
	" id INTEGER PRIMARY KEY, created_ms INTEGER NOT NULL, route TEXT NOT NULL,"
	" tier TEXT NOT NULL, chain TEXT NOT NULL, old_chain TEXT NOT NULL,"
	" impact TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'pending',"
	" version INTEGER, decided_ms INTEGER);"
	"CREATE TABLE model_quality ("
	" model TEXT PRIMARY KEY, quality INTEGER NOT NULL, source TEXT NOT NULL,"
	" updated_ms INTEGER NOT NULL) WITHOUT ROWID;";

/*
 * Redis coordination (route/coord.h): the outages this host lived through
 * (llmr-quota shows the last), and how far its own reservations were
 * copied into Redis once it came back, so that none is copied twice.
 */
static const char coord_v1[] =
	"CREATE TABLE coord_outages (id INTEGER PRIMARY KEY, started_ms INTEGER NOT NULL,"
	" ended_ms INTEGER, last_ms INTEGER NOT NULL, failures INTEGER NOT NULL DEFAULT 1, reason TEXT);"
	"CREATE TABLE coord_sync (k INTEGER PRIMARY KEY CHECK (k = 0), last_id INTEGER NOT NULL);";

/*
 * What the semantic cache learned about its entries (ask/semcache_obs.c):
 * one row per hit served, per confirmation asked of cache.confirm_model,
 * and per correction (llmr-cost cache wrong). correct is 1 or 0 when
 * known, NULL for a hit nobody checked; from the known ones each entry
 * gets its own threshold.
 */
static const char semobs_v1[] =
	"CREATE TABLE semantic_obs ("
	" id INTEGER PRIMARY KEY,"
	" entry_id INTEGER NOT NULL,"
	" request_id TEXT,"
	" similarity REAL NOT NULL,"
	" correct INTEGER CHECK (correct IN (0, 1)),"
	" source TEXT NOT NULL CHECK (source IN ('hit', 'confirm', 'correction')),"
	" ts_ms INTEGER NOT NULL);"
	"CREATE INDEX semantic_obs_entry ON semantic_obs(entry_id, correct, similarity);"
	"CREATE INDEX semantic_obs_request ON semantic_obs(request_id);";

/*
 * llmr-bench run, measured further: each run's suite hash (the file's
 * SHA-256, so results of different suite texts are not mixed up), its end
 * and how it ended (passed, failed, interrupted); each result's mean
 * inter-token latency, its tokens, and its format score with the four
 * parts and flag as JSON (null when the case asked for no JSON).
 */
static const char bench_v2[] =
	"ALTER TABLE bench_runs ADD COLUMN suite_hash TEXT;"
	"ALTER TABLE bench_runs ADD COLUMN finished_ms INTEGER;"
	"ALTER TABLE bench_runs ADD COLUMN status TEXT;"
	"ALTER TABLE bench_results ADD COLUMN itl_ms REAL;"
	"ALTER TABLE bench_results ADD COLUMN input_tokens INTEGER;"
	"ALTER TABLE bench_results ADD COLUMN output_tokens INTEGER;"
	"ALTER TABLE bench_results ADD COLUMN format_score REAL;"
	"ALTER TABLE bench_results ADD COLUMN format TEXT;";

/*
 * llmr-bench arena and probe. bench_arena_sessions: one row per arena
 * session (its run in bench_runs, kind "arena"): who evaluated, the
 * suite's SHA-256, the seed of the order the answers were shown in.
 * bench_arena_scores: one row per answer scored by a person: the model
 * behind the label (A, B, C) shown, score 0..10, tags (a JSON array of
 * strings), comment, confidence 1..5 and the milliseconds taken. A
 * person's pairwise preferences stay in bench_pairs (source "human"),
 * which now say who gave them and for which case. bench_probes: each
 * model llmr-bench probe tried (status ok, failed or skipped);
 * provider_verified: when each provider last answered a probe, which
 * llmr-quota shows.
 */
static const char arena_v1[] =
	"CREATE TABLE bench_arena_sessions ("
	" run INTEGER PRIMARY KEY REFERENCES bench_runs(id), evaluator TEXT NOT NULL,"
	" suite_hash TEXT NOT NULL, seed INTEGER NOT NULL, models TEXT NOT NULL);"
	"CREATE TABLE bench_arena_scores ("
	" id INTEGER PRIMARY KEY, run INTEGER NOT NULL REFERENCES bench_runs(id),"
	" case_no INTEGER NOT NULL, evaluator TEXT NOT NULL, model TEXT NOT NULL,"
	" label TEXT NOT NULL, prompt TEXT NOT NULL, answer TEXT NOT NULL,"
	" score INTEGER NOT NULL CHECK (score BETWEEN 0 AND 10), tags TEXT NOT NULL,"
	" comment TEXT NOT NULL, confidence INTEGER NOT NULL CHECK (confidence BETWEEN 1 AND 5),"
	" time_ms INTEGER NOT NULL, ts_ms INTEGER NOT NULL);"
	"CREATE INDEX bench_arena_scores_evaluator ON bench_arena_scores(evaluator, run);"
	"ALTER TABLE bench_pairs ADD COLUMN evaluator TEXT;"
	"ALTER TABLE bench_pairs ADD COLUMN case_no INTEGER;"
	"CREATE TABLE bench_probes ("
	" id INTEGER PRIMARY KEY, ts_ms INTEGER NOT NULL, route TEXT NOT NULL,"
	" model TEXT NOT NULL, provider TEXT NOT NULL,"
	" status TEXT NOT NULL CHECK (status IN ('ok', 'failed', 'skipped')),"
	" latency_ms INTEGER, error TEXT);"
	"CREATE TABLE provider_verified ("
	" provider TEXT PRIMARY KEY, verified_ms INTEGER NOT NULL, model TEXT NOT NULL,"
	" latency_ms INTEGER NOT NULL) WITHOUT ROWID;";

/*
 * Redis coordination of monthly caps (route/coord_spend.h): per cap, this
 * host's spend and every host's (held included, and spent alone), as
 * last seen in Redis at the hold numbered seq there: an outage lets this
 * host spend only its allowance, and a Redis restarted empty never looks
 * less spent.
 */
static const char coord_v2[] =
	"CREATE TABLE coord_spend_seen (scope TEXT NOT NULL, name TEXT NOT NULL,"
	" month0 INTEGER NOT NULL, own_usd REAL NOT NULL, all_usd REAL NOT NULL,"
	" spent_usd REAL NOT NULL, seq INTEGER NOT NULL, seen_ms INTEGER NOT NULL,"
	" PRIMARY KEY (scope, name)) WITHOUT ROWID;";

/*
 * llmr-index --url-base: the web address of the synced copy of an indexed
 * root (a folder's canonical path), per collection. Documents under it get
 * that address with their root-relative path appended, now and on every
 * later run that does not name another.
 */
static const char index_roots_v1[] =
	"CREATE TABLE idx_roots (coll INTEGER NOT NULL, root TEXT NOT NULL,"
	" url_base TEXT NOT NULL, PRIMARY KEY (coll, root)) WITHOUT ROWID;";

/*
 * index: the word vectors the local-cooc embedder learned from a
 * collection's own chunks (index/cooc.h): its stems (8 bytes each,
 * packed), their IDF (float32) and their vectors (int8, a float32 scale
 * per row), and the chunk count they were learned from, which says when
 * to learn again.
 */
static const char cooc_v1[] =
	"CREATE TABLE idx_cooc (coll INTEGER PRIMARY KEY, dim INTEGER NOT NULL,"
	" nwords INTEGER NOT NULL, chunks INTEGER NOT NULL, learned_ms INTEGER NOT NULL,"
	" words BLOB NOT NULL, idf BLOB NOT NULL, vecs BLOB NOT NULL);";

/*
 * index: a compact vector per chunk, so that search re-scores candidates
 * from stored int8 vectors (the local embedder's 1024 dimensions and a
 * float scale: 1028 bytes) rather than embedding their text again, and the
 * chunk id of every graph node packed 1024 to a row, so that a search can
 * read the whole node-to-chunk map in a few SELECTs and scan the sketches
 * by brute force. A chunk's vector goes with it (trigger).
 */
static const char index_vec_v1[] =
	"CREATE TABLE idx_ann_vec (chunk INTEGER PRIMARY KEY, q BLOB NOT NULL);"
	"CREATE TRIGGER idx_chunks_ad_vec AFTER DELETE ON idx_chunks BEGIN"
	" DELETE FROM idx_ann_vec WHERE chunk=old.id; END;"
	"CREATE TABLE idx_ann_ids ("
	" coll INTEGER NOT NULL, block INTEGER NOT NULL, data BLOB NOT NULL,"
	" PRIMARY KEY (coll, block)) WITHOUT ROWID;";

const struct llmr_migration llmr_migrations[] = {
	{"requests log and rate-limit headers", core_v1},
	/* Append later steps here, one line each, their SQL above: a step
	 * once released never moves (tests/cli/0015-state-upgrade.t). */
	{"cost: price versions, routing versions, budgets", cost_v1},
	{"route: quota reservations, queue, breakers, request budgets, degraded mode", route_v1},
	{"index: collections, documents, chunks, FTS5, ANN graph", index_v1},
	{"route: request budget calls in flight", budget_v2},
	{"ask: exact response cache", cache_v1},
	{"route: spending held by calls in flight", spend_v1},
	{"requests: per-provider covering index", requests_v2},
	{"learn: labelled outcomes for the learned router", outcomes_v1},
	{"ask: transcripts (prompt, answer, conversation)", transcripts_v1},
	{"bench: suite runs, results and pairwise comparisons", bench_v1},
	{"serve: the agent of each request served over HTTP", serve_v1},
	{"ask: semantic cache, in-flight leases, cache entries by route", semcache_v1},
	{"learn: embedding cache, pending routing changes, measured quality", learn_v2},
	{"route: Redis coordination outages and resync mark", coord_v1},
	{"ask: what the semantic cache learned about its entries", semobs_v1},
	{"bench: suite hash and run status; inter-token latency, tokens, format score", bench_v2},
	{"bench: arena sessions and scores, probes, providers last verified", arena_v1},
	{"route: monthly spend last seen in Redis, per cap", coord_v2},
	{"index: the web address of each indexed root (--url-base)", index_roots_v1},
	{"index: word vectors learned from a collection (local-cooc)", cooc_v1},
	{"index: int8 vectors per chunk, packed node-to-chunk map", index_vec_v1},
};

const size_t llmr_nmigrations = sizeof(llmr_migrations) / sizeof(llmr_migrations[0]);
