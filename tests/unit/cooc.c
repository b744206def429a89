/*
 * cooc.c - the word vectors learned from a collection (index/cooc.h):
 * the same texts give the same model; two words used in the same company
 * but never together ("voiture", "automobile") come out closer than words
 * of another topic; texts follow their words.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "index/cooc.h"
#include "index/embed.h"
#include "tap.h"

#define NTEXTS 400
#define NFILL 300

static uint64_t rnd_state = 42;

static unsigned rnd(unsigned n)
{
	rnd_state = rnd_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)((rnd_state >> 33) % n);
}

/* A filler word of six letters, distinct per i. */
static void filler(unsigned i, char w[8])
{
	w[0] = 'q';
	w[1] = (char)('a' + i % 26);
	w[2] = (char)('a' + (i / 26) % 26);
	w[3] = 'x';
	w[4] = 'z';
	w[5] = 'k';
	w[6] = 0;
}

static const char *const car[] = {"moteur", "rouler", "garage", "essence", "conduire", "pneu"};
static const char *const fruit[] = {"fruit", "manger", "verger", "arbre", "cueillir", "sucre"};

/* Text t: a topic (cars with one of two names, or fruit), its company
 * words, and filler. */
static char *make_text(unsigned t)
{
	struct llmr_buf b = LLMR_BUF_INIT;
	unsigned topic = t % 3, i;
	char w[8];

	for (i = 0; i < 24; i++) {
		if (i % 4 == 0)
			llmr_buf_adds(&b, topic == 0 ? "voiture" : topic == 1 ? "automobile" : "pomme");
		else if (i % 2 == 0)
			llmr_buf_adds(&b, topic < 2 ? car[rnd(6)] : fruit[rnd(6)]);
		else {
			filler(rnd(NFILL), w);
			llmr_buf_adds(&b, w);
		}
		llmr_buf_add(&b, " ", 1);
	}
	return b.s;
}

static float wcos(const struct llmr_cooc *m, const char *a, const char *b)
{
	long x = llmr_cooc_word(m, a), y = llmr_cooc_word(m, b);

	if (x < 0 || y < 0)
		return NAN;
	return llmr_embed_cosine(m->vec + x * m->dim, m->vec + y * m->dim, m->dim);
}

int main(void)
{
	char *texts[NTEXTS];
	size_t lens[NTEXTS], i;
	struct llmr_cooc *m, *m2;
	float q[LLMR_COOC_DIM], a[LLMR_COOC_DIM], b[LLMR_COOC_DIM];
	float syn, other;
	const char *ta = "une automobile au garage", *tb = "une pomme du verger";

	for (i = 0; i < NTEXTS; i++) {
		texts[i] = make_text((unsigned)i);
		lens[i] = strlen(texts[i]);
	}
	m = llmr_cooc_learn((const char *const *)texts, lens, NTEXTS);
	m2 = llmr_cooc_learn((const char *const *)texts, lens, NTEXTS);
	ok(m && m2, "a model is learned from %d texts", NTEXTS);
	if (!m || !m2)
		return done_testing();
	is_int(m->dim, LLMR_COOC_DIM, "its dimension");
	ok(m->nwords > NFILL && m->nwords == m2->nwords, "the same vocabulary (%zu words)",
	   m->nwords);
	ok(!memcmp(m->key, m2->key, m->nwords * sizeof(*m->key)) &&
		   !memcmp(m->vec, m2->vec, m->nwords * m->dim * sizeof(*m->vec)),
	   "deterministic: the same texts give the same vectors");
	ok(llmr_cooc_word(m, "voitures") >= 0 && llmr_cooc_word(m, "Voiture") ==
						    llmr_cooc_word(m, "voiture"),
	   "words are folded and stemmed");
	ok(llmr_cooc_word(m, "tramway") < 0, "an unseen word is unknown");

	syn = wcos(m, "voiture", "automobile");
	other = wcos(m, "voiture", "pomme");
	printf("# cos(voiture, automobile) %.3f, cos(voiture, pomme) %.3f\n", syn, other);
	ok(syn > other + 0.15f, "never together, same company: closer than another topic");
	ok(wcos(m, "automobile", "voiture") > wcos(m, "automobile", "fruit"),
	   "a synonym is closer than the other topic's word");

	ok(llmr_cooc_embed(m, "voiture", 7, q), "a query with a known word");
	llmr_cooc_embed(m, ta, strlen(ta), a);
	llmr_cooc_embed(m, tb, strlen(tb), b);
	ok(llmr_embed_cosine(q, a, m->dim) > llmr_embed_cosine(q, b, m->dim),
	   "'voiture' finds the text about an automobile before the one about an apple");
	ok(!llmr_cooc_embed(m, "tramway", 7, q) && q[0] == 0, "no known word: a zero vector");

	for (i = 0; i < 5; i++)
		texts[i][0] = 0, lens[i] = 0;
	llmr_cooc_free(m2);
	m2 = llmr_cooc_learn((const char *const *)texts, lens, 5);
	ok(!m2, "too few words: no model");
	llmr_cooc_free(m);
	for (i = 0; i < NTEXTS; i++)
		free(texts[i]);
	return done_testing();
}
