#!/usr/bin/env python3
"""seed.py - (re)make the seed corpora in tests/fuzz/corpus/ from the wire
fixtures, the test configs and the documents, with the harness's leading
control byte(s) (see each fuzz_*.c). Run from the repository root."""
import glob, os, struct

W = 'tests/fixtures/wire/'
OUT = 'tests/fuzz/corpus/'


def put(h, name, data):
    os.makedirs(OUT + h, exist_ok=True)
    with open(OUT + h + '/' + name, 'wb') as f:
        f.write(data)


def read(p):
    with open(p, 'rb') as f:
        return f.read()


for p in glob.glob('tests/cli/configs/*/*') + ['llmr.conf.example']:
    put('config', os.path.basename(os.path.dirname(p)) + '-' + os.path.basename(p), read(p))

for p in glob.glob(W + '*.sse') + glob.glob(W + '*.jsonl'):
    nd = 1 if p.endswith('.jsonl') else 0
    for ctl in (nd | (0 << 2), nd | (6 << 2), nd | 2 | (63 << 2)):
        put('sse', '%s-%d' % (os.path.basename(p), ctl), bytes([ctl]) + read(p))

families = {'openai': ('openai', 'deepseek', 'groq', 'mistral', 'openrouter'),
            'anthropic': ('anthropic',), 'gemini': ('gemini',), 'ollama': ('ollama',)}
for h, prefixes in families.items():
    for p in glob.glob(W + '*'):
        b = os.path.basename(p)
        if not b.startswith(prefixes) or b.endswith('.txt'):
            continue
        if 'error' in b and not b.endswith(('.sse', '.jsonl')):
            ctl = 2
        elif 'embed' in b:
            ctl = 3
        elif b.endswith(('.sse', '.jsonl')) or 'stream' in b:
            ctl = 1
        else:
            ctl = 0
        put(h, b, bytes([ctl]) + read(p))

for p in glob.glob(W + '*headers*.txt'):
    put('ratelimit', os.path.basename(p), read(p))
for p in glob.glob(W + '*error*.json'):
    put('ratelimit', os.path.basename(p), read(p))

fmt = {'.txt': 0, '.md': 1, '.html': 2, '.docx': 3, '.odt': 4, '.pdf': 5}
for p in glob.glob('tests/fixtures/docs/*'):
    ext = os.path.splitext(p)[1]
    if ext in fmt:
        put('extract', os.path.basename(p), bytes([fmt[ext]]) + read(p))

for p in glob.glob('tests/fixtures/docs/*.md') + glob.glob('tests/fixtures/docs/*.txt') + ['README.md']:
    for tok, ov in ((40, 8), (400, 40), (3, 1)):
        put('chunk', '%s-%d' % (os.path.basename(p), tok), struct.pack('<qq', tok, ov) + read(p))
