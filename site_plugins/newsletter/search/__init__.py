"""Chinese full-text search: one tokenizer (tokenizer.py, mirrored in assets/tokenizer.js), a sharded
lunr index written at build time (index.py) and the browser engine that queries it (assets/)."""
