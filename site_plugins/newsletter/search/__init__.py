"""Chinese full-text search: one tokenizer (tokenizer.py, mirrored in assets/tokenizer.js), an index of
raw term frequencies in gzip JSON chunks written at build time (index.py, written into the site by
site.py, fully or incrementally) and the browser engine that queries it with lunr's BM25 (assets/)."""
