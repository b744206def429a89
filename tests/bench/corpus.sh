# tests/bench/corpus.sh - sourced by the index and search benchmarks: a
# deterministic French/English corpus, no network. A word-bigram chain is
# learned from real text shipped in the tree (the demo corpus's French
# sources, its English FAQ, the English retrieval fixture and the README),
# and walked with a fixed seed: real words at their real frequencies, in
# plausible order, two documents in three French.
#
#   corpus_files DIR FILES SECTIONS WORDS   Markdown files, a heading a section
#   corpus_jsonl DOCS WORDS                 {"id","text"} JSON lines on stdout
#
# Needs $SRC (the tree's root).

corpus_gen() { # corpus_gen MODE DIR|- N SECTIONS WORDS
	{
		for f in "$SRC"/tests/demo/src/guide-benevole.md "$SRC"/tests/demo/src/reglement-interieur.md \
			"$SRC"/tests/demo/src/tri-textile.md; do
			sed 's/^/F /' "$f"
		done
		for f in "$SRC"/tests/demo/src/volunteer-faq-en.md "$SRC"/README.md \
			"$SRC"/tests/fixtures/retrieval/docs/*.md; do
			sed 's/^/E /' "$f"
		done
	} | awk -v mode="$1" -v dir="$2" -v n="$3" -v ns="$4" -v nw="$5" '
	function clean(w) {
		gsub(/[`*#|<>\[\]()"{}_\\]/, "", w)
		return w
	}
	function learn(l, w, i, prev, nt) {
		nt = split($0, w, /[ \t]+/)
		prev = "^"
		for (i = 2; i <= nt; i++) {
			x = clean(w[i])
			if (x == "" || x ~ /^[-=:\/.,;0-9]+$/ || length(x) > 24) continue
			succ[l, prev, ++nsucc[l, prev]] = x
			prev = (x ~ /[.!?]$/) ? "^" : x
		}
	}
	function sentence(l, max, prev, out, k, x) {
		prev = "^"; out = ""
		for (k = 0; k < max; k++) {
			if (!nsucc[l, prev]) prev = "^"
			x = succ[l, prev, 1 + int(rand() * nsucc[l, prev])]
			out = out (k ? " " : "") x
			if (x ~ /[.!?]$/) break
			prev = x
		}
		if (out !~ /[.!?]$/) out = out "."
		return out
	}
	function text(l, words, out, s) {
		out = ""
		while (split(out, tmp, " ") < words) {
			s = sentence(l, 30)
			out = out (out == "" ? "" : " ") s
		}
		return out
	}
	function heading(l, s, t, i, nt) {
		s = sentence(l, 6)
		sub(/[.!?]$/, "", s)
		return s
	}
	function esc(s) {
		gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s)
		return s
	}
	{ l = substr($0, 1, 1); $0 = substr($0, 3); learn(l) }
	END {
		srand(42)
		for (d = 0; d < n; d++) {
			l = rand() < 0.67 ? "F" : "E"
			if (mode == "jsonl") {
				printf "{\"id\":\"doc-%06d\",\"text\":\"%s\"}\n", d, esc(text(l, nw))
				continue
			}
			file = sprintf("%s/doc%05d.md", dir, d)
			printf "# %s\n\n", heading(l) > file
			for (s = 0; s < ns; s++) {
				printf "## %s\n\n%s\n\n", heading(l), text(l, nw) > file
			}
			close(file)
		}
	}'
}

corpus_files() { corpus_gen files "$1" "$2" "$3" "$4"; }
corpus_jsonl() { corpus_gen jsonl - "$1" 1 "$2"; }
