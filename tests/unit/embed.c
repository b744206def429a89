#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "index/ann.h"
#include "index/embed.h"
#include "tap.h"

static float cos_of(const char *a, const char *b)
{
	float va[LLMR_EMBED_LOCAL_DIM], vb[LLMR_EMBED_LOCAL_DIM];

	llmr_embed_local(a, strlen(a), va);
	llmr_embed_local(b, strlen(b), vb);
	return llmr_embed_cosine(va, vb, LLMR_EMBED_LOCAL_DIM);
}

int main(void)
{
	struct llmr_buf f = LLMR_BUF_INIT;
	float v[LLMR_EMBED_LOCAL_DIM], w[LLMR_EMBED_LOCAL_DIM], back[LLMR_EMBED_LOCAL_DIM];
	double n = 0, err = 0;
	llmr_sketch s1, s2, s3;
	size_t i, len;
	void *q;

	{
		const char *t = "\xc3\x89t\xc3\xa9 \xe2\x80\x99 C\xc5\x93ur, L'ACCUEIL!";

		llmr_embed_fold(t, strlen(t), &f);
	}
	is_str(f.s, "ete coeur l accueil ", "fold: accents, case, ligature, punctuation");
	llmr_buf_release(&f);
	ok(llmr_embed_stopword("les", 3) && llmr_embed_stopword("the", 3), "stop words");
	ok(!llmr_embed_stopword("textile", 7), "content word");

	llmr_embed_local("Le tri du textile", strlen("Le tri du textile"), v);
	for (i = 0; i < LLMR_EMBED_LOCAL_DIM; i++)
		n += (double)v[i] * v[i];
	is_num(n, 1.0, 1e-4, "local vectors are normalised");
	llmr_embed_local("le la les", strlen("le la les"), w);
	is_num(llmr_embed_cosine(w, w, LLMR_EMBED_LOCAL_DIM), 0, 1e-9, "only stop words: zero vector");
	ok(cos_of("trier les chaussures", "tri des chaussures usagées") >
		   cos_of("trier les chaussures", "horaires de la caisse"),
	   "shared stems score higher than unrelated text");
	ok(cos_of("sécurité incendie", "securite incendie") > 0.99, "accents do not matter");

	llmr_embed_local("procédure de tri textile et chaussures", strlen("procédure de tri textile et chaussures"), v);
	llmr_embed_local("procédure de tri des textiles et des chaussures", strlen("procédure de tri des textiles et des chaussures"), w);
	llmr_embed_sketch(v, LLMR_EMBED_LOCAL_DIM, s1);
	llmr_embed_sketch(w, LLMR_EMBED_LOCAL_DIM, s2);
	llmr_embed_local("clés et alarme du local", strlen("clés et alarme du local"), w);
	llmr_embed_sketch(w, LLMR_EMBED_LOCAL_DIM, s3);
	ok(llmr_ann_dist(s1, s2) < llmr_ann_dist(s1, s3), "sketches: near texts have near sketches (%d < %d)",
	   llmr_ann_dist(s1, s2), llmr_ann_dist(s1, s3));

	q = llmr_embed_quantize(v, LLMR_EMBED_LOCAL_DIM, &len);
	is_int(len, 4 + LLMR_EMBED_LOCAL_DIM, "int8: one byte a dimension plus a scale");
	ok(llmr_embed_dequantize(q, len, back, LLMR_EMBED_LOCAL_DIM) == 0, "dequantize");
	ok(llmr_embed_dequantize(q, len - 1, back, LLMR_EMBED_LOCAL_DIM) < 0, "wrong length refused");
	for (i = 0; i < LLMR_EMBED_LOCAL_DIM; i++)
		err = fmax(err, fabs(back[i] - v[i]));
	ok(err < 0.01, "quantisation error small (%g)", err);
	ok(llmr_embed_cosine(v, back, LLMR_EMBED_LOCAL_DIM) > 0.999, "cosine kept");
	free(q);

	{
		/* Local vectors are recomputed from chunk text at search time and
		 * compared with sketches stored at index time: the embedder must
		 * give the same vector for the same text, in every process and
		 * build. The sketch below is a stored value, not recomputed. */
		const char *t = "Horaires d'ouverture de la d\xc3\xa9" "chetterie intercommunale";
		float a[LLMR_EMBED_LOCAL_DIM], b[LLMR_EMBED_LOCAL_DIM];
		uint64_t sk[LLMR_SKETCH_WORDS];
		char hex[40];

		llmr_embed_local(t, strlen(t), a);
		llmr_embed_local(t, strlen(t), b);
		ok(!memcmp(a, b, sizeof(a)), "deterministic: the same text gives the same vector");
		llmr_embed_sketch(a, LLMR_EMBED_LOCAL_DIM, sk);
		snprintf(hex, sizeof(hex), "%016llx%016llx", (unsigned long long)sk[0],
			 (unsigned long long)sk[1]);
		is_str(hex, "a0ad2cc30400e828985b1031e7f82985",
		       "deterministic: the sketch of a known text is the stored one");
	}
	done_testing();
}
