/* The search engine in the browser: window.newsletterSearch.search(query, filters[, options]).
 * Loads search/data/head.json.gz once (document count, average field lengths, fold table, synonyms), then
 * per query only the shards of its tokens (raw term frequencies: lunr's BM25 weights are computed here),
 * the facet rows of the groups holding its matches, and the metadata and text of the groups holding the
 * results on the visible page. Layout: site_plugins/newsletter/search/index.py. Needs tokenizer.js loaded
 * first. Nothing from the index reaches innerHTML: snippets are built from text nodes and <mark> elements
 * created here.
 *
 * Speed: postings are decoded once per token into typed arrays (ids ascending, term frequencies per
 * field); a query intersects them in one pass and keeps, per candidate, flags in typed arrays. Results
 * are ordered title hits first, then newer issues first, then by score, and ids are issue × slots +
 * rank, so the visible page is found by walking the candidates from the newest issue down: scores are
 * computed for the issues the page touches only, and nothing sorts all candidates. What a query has
 * learnt (its matches, which candidates the phrase check kept or dropped) is kept for the next call with
 * the same query, so the search page's second call (facet counts, drawn after the results) only adds
 * the facet rows and the counting. */
(function () {
  "use strict";
  var script = document.currentScript;
  var SITE_ROOT = new URL("../../", script.src);
  var DATA = new URL("search/data/", SITE_ROOT);
  var FIELDS = ["title", "tags", "body"]; // index.py FIELDS; title and tags hits rank first
  var K1 = 1.2, B = 0.75; // lunr's BM25 parameters
  // Up to this many candidates, whose texts are in up to this many files, are all checked for exactness
  // before anything is shown (exact totals and counts); more are checked page by page.
  var VERIFY_ALL = 30, VERIFY_FILES = 4;
  var FACETS = ["section", "issue", "year", "tag", "source"];
  var QUERIES_KEPT = 16; // query states kept for the next call with the same query
  // chunk rows (index.py): meta [id, url, title, date, |title|, |tags|, |body|]; facets [id, section,
  // source, year, tag…]; text [id, text]
  var META_URL = 1, META_TITLE = 2, META_DATE = 3, META_LENGTHS = 4;
  // a candidate's phrase check: not needed or not done yet, passed, failed
  var UNCHECKED = 0, PASSED = 1, FAILED = 2;

  var cache = { head: null, files: new Map(), shards: new Map(), tokens: new Map(), queries: new Map(),
    rows: { meta: new Map(), facets: new Map(), text: new Map() }, codes: [], compacted: new Map() }; // codes: by id

  /* The promise of map[key], made by load() the first time (forgotten if it fails: tried again later). */
  function once(map, key, load) {
    if (!map.has(key)) {
      var made = load();
      map.set(key, made);
      if (made && made.catch) made.catch(function () { if (map.get(key) === made) map.delete(key); });
    }
    return map.get(key);
  }

  function abortError() {
    return new DOMException("search aborted", "AbortError");
  }

  /* Gzip bytes -> bytes, through the browser's own decompressor (no copy of the input). */
  function gunzip(bytes) {
    var stream = new ReadableStream({ start: function (c) { c.enqueue(bytes); c.close(); } });
    return new Response(stream.pipeThrough(new DecompressionStream("gzip"))).arrayBuffer();
  }

  /* A data file's bytes, compressed with gzip, decompressed here (unless the server already did). */
  function getBytes(path) {
    var url = new URL(path, DATA);
    return fetch(url).then(function (response) {
      if (!response.ok) throw new Error("search: " + response.status + " for " + url);
      return response.arrayBuffer();
    }).then(function (buffer) {
      var bytes = new Uint8Array(buffer);
      return bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzip(bytes) : buffer;
    });
  }

  /* A JSON data file (compressed with gzip). */
  function getData(path) {
    return once(cache.files, path, function () {
      return getBytes(path).then(function (buffer) { return JSON.parse(new TextDecoder().decode(buffer)); });
    });
  }

  function head() {
    if (!cache.head) {
      cache.head = getData("head.json.gz").then(function (h) {
        h.tokenizer = NewsletterTokenizer.createTokenizer(h.fold);
        h.sectionTitle = new Map(h.sections);
        return h;
      });
    }
    return cache.head;
  }

  function issueOf(h, ref) { return Math.floor(ref / h.slots); }

  /* The chunk files of `kind` holding `refs`. */
  function groups(h, kind, refs) {
    var found = new Set();
    refs.forEach(function (ref) { found.add(Math.floor(issueOf(h, ref) / h.chunks[kind])); });
    return found;
  }

  /* Loads the chunk files of `kind` holding `refs`; their rows are then in cache.rows[kind] by id. */
  function load(h, kind, refs) {
    return Promise.all(Array.from(groups(h, kind, refs), function (g) {
      return once(cache.files, kind + "#" + g, function () {
        return getData(kind + "/" + g + ".json.gz").then(function (data) {
          data.docs.forEach(function (row) {
            if (data.values) { // facets: strings given as positions in the chunk's value list
              row = row.map(function (x, i) { return i === 0 || i === 3 ? x : data.values[x]; });
            }
            cache.rows[kind].set(row[0], row);
          });
        });
      });
    }));
  }

  /* A shard (index.py _shard_data): "NLS4", the length of its JSON header, the header ({terms, at}), then
   * one block of postings per term at body offset at[i]; blocks are decoded when looked up. */
  function shard(h, number) {
    return once(cache.shards, number, function () {
      return getBytes("shards/" + number + ".bin.gz").then(function (buffer) {
        var view = new DataView(buffer);
        if (view.getUint32(0, false) !== 0x4e4c5334) throw new Error("search: shard " + number + " is not NLS4");
        var length = view.getUint32(4, true), header = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 8, length)));
        var at = new Map();
        header.terms.forEach(function (term, i) { at.set(term, 8 + length + header.at[i]); });
        return { buffer: buffer, at: at };
      });
    });
  }

  function padded(bytes) { return bytes + (-bytes & 3); }

  function uints(buffer, offset, count, width) {
    return width === 1 ? new Uint8Array(buffer, offset, count)
      : width === 2 ? new Uint16Array(buffer, offset, count) : new Uint32Array(buffer, offset, count);
  }

  /* A token's postings: {df, n, refs: ids ascending, tf: [tf in title, tags, body] of refs[k] at 3k…3k+2}.
   * df counts a document once per field holding the token, as lunr's idf does. The block: n, first id,
   * m term frequencies, id and tf widths; n - 1 id deltas, n field masks, m term frequencies. */
  function postings(h, token) {
    return once(cache.tokens, token, function () {
      return shard(h, NewsletterTokenizer.shardOf(token, h.shards)).then(function (s) {
        var offset = s.at.get(token);
        if (offset === undefined) return { df: 0, n: 0, refs: new Int32Array(0), tf: new Int32Array(0) };
        var view = new DataView(s.buffer, offset, 16);
        var n = view.getUint32(0, true), first = view.getUint32(4, true), m = view.getUint32(8, true);
        var idWidth = view.getUint8(12), tfWidth = view.getUint8(13), at = offset + 16;
        var deltas = uints(s.buffer, at, n - 1, idWidth);
        at += padded((n - 1) * idWidth);
        var masks = new Uint8Array(s.buffer, at, n);
        at += padded(n);
        var tfs = uints(s.buffer, at, m, tfWidth);
        var refs = new Int32Array(n), tf = new Int32Array(3 * n), k = 0, ref = first;
        for (var i = 0; i < n; i++) {
          if (i) ref += deltas[i - 1];
          refs[i] = ref;
          var mask = masks[i];
          if (mask & 1) tf[3 * i] = tfs[k++];
          if (mask & 2) tf[3 * i + 1] = tfs[k++];
          if (mask & 4) tf[3 * i + 2] = tfs[k++];
        }
        return { df: m, n: n, refs: refs, tf: tf };
      });
    });
  }

  /* Position of ref in an ascending list of ids, or -1. */
  function find(refs, ref) {
    var lo = 0, hi = refs.length - 1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1, x = refs[mid];
      if (x === ref) return mid;
      if (x < ref) lo = mid + 1; else hi = mid - 1;
    }
    return -1;
  }

  /* lunr's BM25 weight of a term in one field of a document (lunr.Builder#createFieldVectors: idf from
   * the term's document frequency, the field's length over its average, rounded to thousandths). */
  function weight(h, df, tf, length, field) {
    var idf = Math.log(1 + Math.abs((h.documents - df + 0.5) / (df + 0.5)));
    var score = idf * ((K1 + 1) * tf) / (K1 * (1 - B + B * (length / h.average[field])) + tf);
    return Math.round(score * 1000) / 1000;
  }

  /* A token's score in a document: its weights summed over the fields (needs the document's meta row). */
  function tokenScore(h, list, ref) {
    var k = find(list.refs, ref), meta = cache.rows.meta.get(ref), score = 0;
    if (k < 0) return 0;
    for (var f = 0; f < FIELDS.length; f++) {
      var tf = list.tf[3 * k + f];
      if (tf) score += weight(h, list.df, tf, meta[META_LENGTHS + f], f);
    }
    return score;
  }

  /* The query as terms (all required), each a list of alternatives (the term and its synonyms). */
  function parse(h, query) {
    var tk = h.tokenizer;
    return String(query || "").split(/\s+/).filter(Boolean).map(function (term) {
      return tk.expand(term, h.synonyms).map(function (text) {
        return { text: text, tokens: tk.queryTokens(text), compact: tk.compact(text) };
      }).filter(function (alt) { return alt.tokens.length > 0; }).slice(0, 31); // alternatives as bits
    }).filter(function (alternatives) { return alternatives.length > 0; });
  }

  /* Ascending ids in every one of `lists` ({refs, n}); with `each(i, positions)` called for each, the
   * positions of the id in every list. One pass, pointers only moving forward. */
  function intersect(lists, each) {
    var order = lists.map(function (l, j) { return j; }).sort(function (a, b) { return lists[a].n - lists[b].n; });
    var base = lists[order[0]], at = new Int32Array(lists.length), out = new Int32Array(base.n), m = 0;
    outer: for (var i = 0; i < base.n; i++) {
      var ref = base.refs[i];
      at[order[0]] = i;
      for (var j = 1; j < order.length; j++) {
        var list = lists[order[j]], refs = list.refs, p = at[order[j]];
        while (p < list.n && refs[p] < ref) p++;
        at[order[j]] = p;
        if (p === list.n) break outer;
        if (refs[p] !== ref) continue outer;
      }
      if (each) each(m, at);
      out[m++] = ref;
    }
    return out.subarray(0, m);
  }

  /* One term's matches: {alts, n, refs ascending, head: some alternative has every token in the title or
   * the tags, mask: bit a set when alternative a matched}. */
  function matchTerm(h, alternatives) {
    return Promise.all(alternatives.map(function (alt) {
      return Promise.all(alt.tokens.map(function (t) { return postings(h, t); })).then(function (lists) {
        alt.lists = lists;
        return alt;
      });
    })).then(function (alts) {
      var perAlt = alts.map(function (alt) {
        var head = new Uint8Array(Math.min.apply(null, alt.lists.map(function (l) { return l.n; })));
        var refs = intersect(alt.lists, function (m, at) {
          var all = 1;
          for (var j = 0; j < alt.lists.length && all; j++) {
            var tf = alt.lists[j].tf, p = 3 * at[j];
            if (!(tf[p] || tf[p + 1])) all = 0;
          }
          head[m] = all;
        });
        return { refs: refs, head: head };
      });
      var single = 0;
      alts.forEach(function (alt, a) { if (alt.tokens.length === 1) single |= 1 << a; });
      if (alts.length === 1) {
        var only = perAlt[0];
        return { alts: alts, single: single, n: only.refs.length, refs: only.refs, head: only.head, mask: null };
      }
      var merged = new Map();
      perAlt.forEach(function (p, a) {
        for (var i = 0; i < p.refs.length; i++) {
          var seen = merged.get(p.refs[i]) || 0;
          merged.set(p.refs[i], (seen | 1 << a) | (p.head[i] ? 1 << 31 : 0));
        }
      });
      var refs = Int32Array.from(merged.keys()).sort(), head = new Uint8Array(refs.length);
      var mask = new Int32Array(refs.length);
      refs.forEach(function (ref, i) { var v = merged.get(ref); head[i] = v < 0 ? 1 : 0; mask[i] = v & 0x7fffffff; });
      return { alts: alts, single: single, n: refs.length, refs: refs, head: head, mask: mask };
    });
  }

  /* The alternatives of term t that matched candidate i. */
  function altsOf(st, t, i) {
    var term = st.terms[t];
    if (!term.mask) return term.alts;
    var bits = term.mask[st.pos[t][i]];
    return term.alts.filter(function (alt, a) { return bits & (1 << a); });
  }

  /* Everything a query has learnt, by candidate (ids ascending): title (or tag) hit, phrase check. */
  function queryState(h, query) {
    var key = String(query || "");
    var known = cache.queries.get(key);
    if (known) { cache.queries.delete(key); cache.queries.set(key, known); return known; } // newest last
    var terms = parse(h, query);
    var state = Promise.all(terms.map(function (alts) { return matchTerm(h, alts); })).then(function (matched) {
      var st = { terms: matched, n: 0, refs: new Int32Array(0), pos: [] };
      if (matched.length === 0) return st;
      var most = Math.min.apply(null, matched.map(function (term) { return term.n; }));
      var pos = matched.map(function () { return new Int32Array(most); });
      st.refs = intersect(matched, function (m, at) { for (var t = 0; t < matched.length; t++) pos[t][m] = at[t]; });
      st.n = st.refs.length;
      st.pos = pos;
      st.title = new Uint8Array(st.n);
      st.needsCheck = new Uint8Array(st.n);
      st.check = new Uint8Array(st.n); // UNCHECKED, PASSED, FAILED
      for (var i = 0; i < st.n; i++) {
        var title = 1, needs = 0;
        for (var t = 0; t < matched.length; t++) {
          var term = matched[t], p = pos[t][i];
          if (!term.head[p]) title = 0;
          var bits = term.mask ? term.mask[p] : 1;
          if (!(bits & term.single)) needs = 1; // matched through several tokens only: confirm the phrase
        }
        st.title[i] = title;
        st.needsCheck[i] = needs;
      }
      return st;
    });
    cache.queries.set(key, state);
    if (cache.queries.size > QUERIES_KEPT) cache.queries.delete(cache.queries.keys().next().value);
    return state;
  }

  /* ---------- facet values ---------- */

  /* Facet values as small integers: per facet, the values seen so far and their codes. An article's codes
   * (its facets row must be loaded) are [section, source, year, issue, tag…] (CODE_AT), so that filters
   * and counts compare and tally integers. */
  var CODE_AT = { section: 0, source: 1, year: 2, issue: 3, tag: 4 };
  var dictionary = {};
  FACETS.forEach(function (facet) { dictionary[facet] = { code: new Map(), values: [] }; });

  function codeOf(facet, value) {
    var d = dictionary[facet], code = d.code.get(value);
    if (code === undefined) { code = d.values.length; d.code.set(value, code); d.values.push(value); }
    return code;
  }

  function codes(h, ref) {
    var known = cache.codes[ref];
    if (known) return known;
    var row = cache.rows.facets.get(ref), out = new Int32Array(row.length);
    out[0] = codeOf("section", row[1]);
    out[1] = codeOf("source", row[2]);
    out[2] = codeOf("year", String(row[3]));
    out[3] = codeOf("issue", String(issueOf(h, ref)));
    for (var k = 4; k < row.length; k++) out[k] = codeOf("tag", row[k]);
    cache.codes[ref] = out;
    return out;
  }

  function has(c, facet, code) {
    var at = CODE_AT[facet];
    if (at < 4) return c[at] === code;
    for (var k = 4; k < c.length; k++) if (c[k] === code) return true;
    return false;
  }

  /* The active filters as [facet, code, value]. */
  function wanted(filters) {
    return FACETS.filter(function (f) { return filters[f] !== undefined; }).map(function (f) {
      return [f, codeOf(f, filters[f]), filters[f]];
    });
  }

  /* Whether an article passes the filters; the issue is known from the id, the others need its facets row. */
  function passes(h, ref, active) {
    var c = null;
    for (var i = 0; i < active.length; i++) {
      if (active[i][0] === "issue") {
        if (String(issueOf(h, ref)) !== active[i][2]) return false;
      } else if (!has(c || (c = codes(h, ref)), active[i][0], active[i][1])) {
        return false;
      }
    }
    return true;
  }

  /* Per facet, the values of the documents that pass every filter but that facet's, with their counts. */
  function facetCounts(h, refs, filters) {
    var active = wanted(filters), tallies = {}, r;
    for (r = 0; r < refs.length; r++) codes(h, refs[r]); // every value has its code before the tallies are made
    FACETS.forEach(function (facet) { tallies[facet] = new Int32Array(dictionary[facet].values.length); });
    var section = tallies.section, source = tallies.source, year = tallies.year, issue = tallies.issue, tag = tallies.tag;
    for (r = 0; r < refs.length; r++) {
      var c = codes(h, refs[r]), failed = null, twice = false;
      for (var i = 0; i < active.length; i++) {
        if (has(c, active[i][0], active[i][1])) continue;
        if (failed !== null) { twice = true; break; } // fails two filters: counted nowhere
        failed = active[i][0];
      }
      if (twice) continue;
      if (failed === null || failed === "section") section[c[0]]++;
      if (failed === null || failed === "source") source[c[1]]++;
      if (failed === null || failed === "year") year[c[2]]++;
      if (failed === null || failed === "issue") issue[c[3]]++;
      if (failed === null || failed === "tag") for (var k = 4; k < c.length; k++) tag[c[k]]++;
    }
    var counts = {};
    FACETS.forEach(function (facet) {
      var values = dictionary[facet].values, entries = [];
      tallies[facet].forEach(function (count, code) {
        if (count > 0 && values[code] !== "") entries.push({ value: values[code], label: label(h, facet, values[code]), count: count });
      });
      counts[facet] = entries.sort(function (a, b) { return facetOrder(facet, a, b); });
    });
    return counts;
  }

  function label(h, facet, value) {
    if (facet === "section") return h.sectionTitle.get(value) || value;
    if (facet === "issue") return "第 " + value + " 期";
    if (facet === "year") return value + " 年";
    return value;
  }

  function facetOrder(facet, a, b) {
    if (facet === "issue" || facet === "year") return Number(b.value) - Number(a.value);
    return b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0);
  }

  /* ---------- exactness ---------- */

  function compacted(h, key, text) {
    return once(cache.compacted, key, function () { return h.tokenizer.compact(text); });
  }

  /* Title and tags of a document, compacted (its meta and facets rows must be loaded). */
  function headings(h, ref) {
    var tags = cache.rows.facets.get(ref).slice(4);
    return [compacted(h, "t" + ref, cache.rows.meta.get(ref)[META_TITLE])].concat(tags.map(function (t) { return compacted(h, "g" + t, t); }));
  }

  function inHeadings(alts, heads) {
    return alts.some(function (a) { return heads.some(function (x) { return x.indexOf(a.compact) >= 0; }); });
  }

  /* Checks candidates (positions in st) against their text; records PASSED or FAILED and whether every
   * term is in the title or tags. An article whose title or tags hold every term as written passes
   * without its text. A term matched through one token is exact; a term of several tokens (碳市场: 碳市 +
   * 市场) must also occur as written, separators aside, in the title, a tag or the text. */
  function checkPhrases(h, st, positions) {
    var refs = positions.map(function (i) { return st.refs[i]; });
    return Promise.all([load(h, "meta", refs), load(h, "facets", refs)]).then(function () {
      var unsure = positions.filter(function (i) {
        var heads = headings(h, st.refs[i]);
        var all = st.terms.every(function (term, t) { return inHeadings(altsOf(st, t, i), heads); });
        if (all) { st.check[i] = PASSED; st.title[i] = 1; }
        return !all;
      });
      return load(h, "text", unsure.map(function (i) { return st.refs[i]; })).then(function () {
        unsure.forEach(function (i) {
          var ref = st.refs[i], body = compacted(h, "b" + ref, cache.rows.text.get(ref)[1]), heads = headings(h, ref);
          var good = true, title = 1;
          st.terms.forEach(function (term, t) {
            var alts = altsOf(st, t, i), inHeading = inHeadings(alts, heads);
            if (!inHeading && !alts.some(function (a) { return body.indexOf(a.compact) >= 0; })) good = false;
            if (!inHeading) title = 0;
          });
          st.check[i] = good ? PASSED : FAILED;
          st.title[i] = title;
        });
      });
    });
  }

  /* ---------- ordering ---------- */

  /* A candidate's score: per term the best of its matching alternatives, each the sum of its tokens'
   * weights (needs the meta row). */
  function scoreOf(h, st, i) {
    var ref = st.refs[i], sum = 0;
    st.terms.forEach(function (term, t) {
      var best = -Infinity;
      altsOf(st, t, i).forEach(function (alt) {
        var s = 0;
        for (var k = 0; k < alt.lists.length; k++) s += tokenScore(h, alt.lists[k], ref);
        if (s > best) best = s;
      });
      sum += best;
    });
    return sum;
  }

  /* Positions of the candidates in ranks [offset, offset + limit) of the final order (title hits first,
   * newer issues first, then lunr's BM25 score, then id), among those `ok(i)` admits. Walks the
   * candidates from the newest issue down, collecting the issues the window touches; scores (and the
   * meta rows they need) only for those. Everything the page then needs (meta and facet rows, the text
   * of body hits to be checked) is fetched at once. */
  function pageOf(h, st, ok, offset, limit) {
    var end = offset + limit, count = 0, touched = [];
    for (var pass = 1; pass >= 0 && count < end; pass--) {
      for (var i = st.n - 1; i >= 0 && count < end;) {
        var issue = issueOf(h, st.refs[i]), group = [];
        for (; i >= 0 && issueOf(h, st.refs[i]) === issue; i--) if (st.title[i] === pass && ok(i)) group.push(i);
        if (group.length && count + group.length > offset) touched.push({ group: group, start: count });
        count += group.length;
      }
    }
    if (touched.length === 0) return Promise.resolve([]);
    var refs = [], unsure = [];
    touched.forEach(function (t) {
      t.group.forEach(function (i) {
        refs.push(st.refs[i]);
        // a body hit to be checked needs its text for sure: fetched now, with its meta and facet rows
        if (st.needsCheck[i] && st.check[i] === UNCHECKED && !st.title[i]) unsure.push(st.refs[i]);
      });
    });
    return Promise.all([load(h, "meta", refs), load(h, "facets", refs), load(h, "text", unsure)]).then(function () {
      var out = [];
      touched.forEach(function (t) {
        var scores = new Map();
        t.group.forEach(function (i) { scores.set(i, scoreOf(h, st, i)); });
        t.group.sort(function (a, b) { return scores.get(b) - scores.get(a) || st.refs[a] - st.refs[b]; });
        t.group.forEach(function (i, k) { if (t.start + k >= offset && t.start + k < end) out.push({ i: i, score: scores.get(i) }); });
      });
      return out;
    });
  }

  function result(h, st, hit) {
    var ref = st.refs[hit.i], meta = cache.rows.meta.get(ref), row = cache.rows.facets.get(ref);
    return {
      url: new URL(meta[META_URL], SITE_ROOT).href, title: meta[META_TITLE], issue: issueOf(h, ref),
      section: row[1], sectionTitle: label(h, "section", row[1]), date: meta[META_DATE],
      source: row[2], tags: row.slice(4), score: hit.score + (st.title[hit.i] ? 1000 : 0), ref: ref,
    };
  }

  function normalizeFilters(filters) {
    var out = {};
    FACETS.forEach(function (facet) {
      if (filters && filters[facet] !== undefined && filters[facet] !== null && filters[facet] !== "") out[facet] = String(filters[facet]);
    });
    return out;
  }

  /* The candidates still to be phrase-checked before anything is shown: all of them when few (exact
   * totals and counts), else none (they are checked page by page). */
  function upfront(h, st) {
    var unchecked = [];
    for (var i = 0; i < st.n && unchecked.length <= VERIFY_ALL; i++) {
      if (st.needsCheck[i] && st.check[i] === UNCHECKED) unchecked.push(i);
    }
    if (unchecked.length > VERIFY_ALL) return [];
    return groups(h, "text", unchecked.map(function (i) { return st.refs[i]; })).size <= VERIFY_FILES ? unchecked : [];
  }

  /* search(query, filters, {limit, offset, facets, signal}) -> Promise of results best first; the array
   * also carries .total (matches after filters) and .facets ({facet: [{value, label, count}]}; null with
   * facets: false, which saves fetching the facet rows of every match when nothing shows the counts).
   * An aborted `signal` (AbortController) rejects it with an AbortError at the next step.
   * Small candidate sets (VERIFY_ALL, VERIFY_FILES) are checked for exactness in full; others page by
   * page (a candidate found through bigrams that are not adjacent in its text is dropped as soon as its
   * page is built), so their totals and facet counts may include a few such candidates. */
  function search(query, filters, options) {
    var limit = (options && options.limit) || 50, offset = (options && options.offset) || 0;
    var signal = options && options.signal;
    var live = function (value) { if (signal && signal.aborted) throw abortError(); return value; };
    var counting = !(options && options.facets === false);
    filters = normalizeFilters(filters);
    return head().then(live).then(function (h) {
      return queryState(h, query).then(live).then(function (st) {
        var refsOf = function (positions) { return positions.map(function (i) { return st.refs[i]; }); };
        // facet rows of every candidate: for filters other than the issue (known from the id) and counts
        var filtering = Object.keys(filters).some(function (f) { return f !== "issue"; });
        var rows = counting || filtering ? load(h, "facets", st.refs) : Promise.resolve();
        return Promise.all([checkPhrases(h, st, upfront(h, st)), rows]).then(live).then(function () {
          var kept = new Uint8Array(st.n).fill(1), active = wanted(filters);
          if (active.length) for (var i = 0; i < st.n; i++) kept[i] = passes(h, st.refs[i], active) ? 1 : 0;
          var ok = function (i) { return kept[i] && st.check[i] !== FAILED; };
          function page() {
            return pageOf(h, st, ok, offset, limit).then(live).then(function (visible) {
              var todo = visible.filter(function (hit) { return st.needsCheck[hit.i] && st.check[hit.i] === UNCHECKED; });
              if (todo.length === 0) return visible;
              return checkPhrases(h, st, todo.map(function (hit) { return hit.i; })).then(live).then(page);
            });
          }
          return page().then(function (visible) {
            return load(h, "facets", refsOf(visible.map(function (hit) { return hit.i; }))).then(live).then(function () {
              var total = 0, valid = [];
              for (var i = 0; i < st.n; i++) {
                if (st.check[i] === FAILED) continue;
                if (kept[i]) total++;
                if (counting) valid.push(st.refs[i]);
              }
              return finish(visible.map(function (hit) { return result(h, st, hit); }), total,
                counting ? facetCounts(h, valid, filters) : null);
            });
          });
        });
      });
    });
  }

  function finish(results, total, facets) {
    results.total = total;
    results.facets = facets;
    return results;
  }

  /* ---------- highlighting ---------- */

  /* Where the query occurs in a text: [start, end) ranges of the original text (whole terms, else tokens).
   * Each character is compacted on its own (memoized: texts repeat their characters), so that a match
   * maps back to the original characters. */
  function ranges(tk, original, query, synonyms) {
    var kept = [], map = [], offset = 0;
    for (var ch of original) {
      var folded = compactChar(tk, ch);
      for (var i = 0; i < folded.length; i++) { kept.push(folded[i]); map.push(offset, offset + ch.length); }
      offset += ch.length;
    }
    var haystack = kept.join(""), found = [];
    var needles = [];
    String(query || "").split(/\s+/).filter(Boolean).forEach(function (term) {
      tk.expand(term, synonyms).forEach(function (alt) { needles.push(tk.compact(alt)); });
    });
    if (!needles.some(function (n) { return n && haystack.indexOf(n) >= 0; })) {
      String(query || "").split(/\s+/).forEach(function (term) { needles.push.apply(needles, tk.queryTokens(term)); });
    }
    needles.filter(Boolean).forEach(function (needle) {
      for (var at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + needle.length)) {
        found.push([map[2 * at], map[2 * (at + needle.length - 1) + 1]]);
      }
    });
    found.sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; });
    return found.filter(function (r, i) { return i === 0 || r[0] >= found[i - 1][1]; });
  }

  var charCache = new Map();
  function compactChar(tk, ch) {
    var folded = charCache.get(ch);
    if (folded === undefined) charCache.set(ch, folded = tk.compact(ch));
    return folded;
  }

  /* Text with <mark>s, as DOM nodes appended to `element` (never through innerHTML). */
  function highlight(element, original, marks) {
    var at = 0;
    marks.forEach(function (r) {
      if (r[0] < at) return;
      element.appendChild(document.createTextNode(original.slice(at, r[0])));
      var mark = document.createElement("mark");
      mark.textContent = original.slice(r[0], r[1]);
      element.appendChild(mark);
      at = r[1];
    });
    element.appendChild(document.createTextNode(original.slice(at)));
    return element;
  }

  /* snippet(result, query) -> Promise of a <p> with the passage around the first match, matches marked. */
  function snippet(res, query, width) {
    width = width || 90;
    return head().then(function (h) {
      return load(h, "text", [res.ref]).then(function () {
        var body = cache.rows.text.get(res.ref)[1].replace(/\s*\n\s*/g, " ");
        var all = ranges(h.tokenizer, body, query, h.synonyms);
        var start = all.length ? Math.max(0, all[0][0] - Math.floor(width / 3)) : 0;
        var end = Math.min(body.length, start + width);
        var passage = body.slice(start, end);
        var local = all.filter(function (r) { return r[0] >= start && r[1] <= end; })
          .map(function (r) { return [r[0] - start, r[1] - start]; });
        var p = document.createElement("p");
        p.className = "nl-search-snippet";
        if (start > 0) p.appendChild(document.createTextNode("…"));
        highlight(p, passage, local);
        if (end < body.length) p.appendChild(document.createTextNode("…"));
        return p;
      });
    });
  }

  /* title(result, query) -> a <span> with the title, matches marked. */
  function markedTitle(res, query) {
    return head().then(function (h) {
      return highlight(document.createElement("span"), res.title, ranges(h.tokenizer, res.title, query, h.synonyms));
    });
  }

  window.newsletterSearch = {
    search: search, snippet: snippet, markedTitle: markedTitle, facets: FACETS,
    searchPage: new URL("search/", SITE_ROOT).href,
    // for tests: the documents holding a token, [url, score, in title or tags], by url
    lookups: function (token) {
      return head().then(function (h) {
        return postings(h, token).then(function (list) {
          var refs = Array.from(list.refs);
          return load(h, "meta", refs).then(function () {
            return refs.map(function (ref, k) {
              return [new URL(cache.rows.meta.get(ref)[META_URL], SITE_ROOT).href, tokenScore(h, list, ref), Boolean(list.tf[3 * k] || list.tf[3 * k + 1])];
            }).sort(function (a, b) { return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0; });
          });
        });
      });
    },
  };
})();
