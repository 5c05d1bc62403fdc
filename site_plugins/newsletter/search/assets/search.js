/* The search engine in the browser: window.newsletterSearch.search(query, filters[, options]).
 * Loads search/data/head.json.gz once (document count, average field lengths, fold table, synonyms), then
 * per query only the shards of its tokens (raw term frequencies: lunr's BM25 weights are computed here),
 * the facet rows of the groups holding its matches, and the metadata and text of the groups holding the
 * results on the visible page. Layout: site_plugins/newsletter/search/index.py. Needs tokenizer.js loaded
 * first. Nothing from the index reaches innerHTML: snippets are built from text nodes and <mark> elements
 * created here. */
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
  // chunk rows (index.py): meta [id, url, title, date, |title|, |tags|, |body|]; facets [id, section,
  // source, year, tag…]; text [id, text]
  var META_URL = 1, META_TITLE = 2, META_DATE = 3, META_LENGTHS = 4;

  var cache = { head: null, files: new Map(), shards: new Map(), tokens: new Map(),
    rows: { meta: new Map(), facets: new Map(), text: new Map() }, values: new Map(), compacted: new Map() };

  function once(map, key, load) {
    if (!map.has(key)) map.set(key, load());
    return map.get(key);
  }

  /* A data file: JSON compressed with gzip, decompressed here (unless the server already did). */
  function getData(path) {
    return once(cache.files, path, function () {
      var url = new URL(path, DATA);
      return fetch(url).then(function (response) {
        if (!response.ok) throw new Error("search: " + response.status + " for " + url);
        return response.arrayBuffer();
      }).then(function (buffer) {
        var bytes = new Uint8Array(buffer);
        if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
          return new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"))).text();
        }
        return new TextDecoder().decode(bytes);
      }).then(JSON.parse);
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

  /* Loads the chunk files of `kind` holding `refs`; their rows are then in cache.rows[kind] by id. */
  function groups(h, kind, refs) {
    var found = new Set();
    refs.forEach(function (ref) { found.add(Math.floor(issueOf(h, ref) / h.chunks[kind])); });
    return found;
  }

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

  function shard(h, number) {
    return once(cache.shards, number, function () {
      return getData("shards/" + number + ".json.gz").then(function (data) {
        var at = new Map();
        data.terms.forEach(function (term, i) { at.set(term, i); });
        return { data: data, at: at };
      });
    });
  }

  /* A token's postings: {df, tf: Map ref -> [tf in title, tags, body]}. df counts a document once per
   * field holding the token, as lunr's idf does. */
  function postings(h, token) {
    return once(cache.tokens, token, function () {
      return shard(h, NewsletterTokenizer.shardOf(token, h.shards)).then(function (s) {
        var i = s.at.get(token), tf = new Map(), df = 0;
        if (i === undefined) return { df: 0, tf: tf };
        var lists = s.data.postings[i];
        for (var f = 0; f < FIELDS.length; f++) {
          var deltas = lists[2 * f], tfs = lists[2 * f + 1], ref = 0;
          df += deltas.length;
          for (var k = 0; k < deltas.length; k++) {
            ref += deltas[k];
            var row = tf.get(ref);
            if (!row) tf.set(ref, row = [0, 0, 0]);
            row[f] = tfs[k];
          }
        }
        return { df: df, tf: tf };
      });
    });
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
    var row = list.tf.get(ref), meta = cache.rows.meta.get(ref), score = 0;
    for (var f = 0; f < FIELDS.length; f++) {
      if (row[f]) score += weight(h, list.df, row[f], meta[META_LENGTHS + f], f);
    }
    return score;
  }

  /* The query as terms (all required), each a list of alternatives (the term and its synonyms). */
  function parse(h, query) {
    var tk = h.tokenizer;
    return String(query || "").split(/\s+/).filter(Boolean).map(function (term) {
      return tk.expand(term, h.synonyms).map(function (text) {
        return { text: text, tokens: tk.queryTokens(text), compact: tk.compact(text) };
      }).filter(function (alt) { return alt.tokens.length > 0; });
    }).filter(function (alternatives) { return alternatives.length > 0; });
  }

  /* Map ref -> {title, alts: [alt…]} for one term: the documents holding every token of an alternative.
   * title: some alternative has every token in the title or the tags. */
  function matchTerm(h, alternatives) {
    return Promise.all(alternatives.map(function (alt) {
      return Promise.all(alt.tokens.map(function (t) { return postings(h, t); })).then(function (lists) {
        alt.lists = lists;
        return alt;
      });
    })).then(function (alts) {
      var merged = new Map();
      alts.forEach(function (alt) {
        var lists = alt.lists.slice().sort(function (a, b) { return a.tf.size - b.tf.size; });
        lists[0].tf.forEach(function (first, ref) {
          var title = true;
          for (var j = 0; j < lists.length; j++) {
            var row = j === 0 ? first : lists[j].tf.get(ref);
            if (!row) return;
            if (!(row[0] || row[1])) title = false;
          }
          var seen = merged.get(ref);
          if (!seen) merged.set(ref, seen = { title: false, alts: [] });
          seen.title = seen.title || title;
          seen.alts.push(alt);
        });
      });
      return merged;
    });
  }

  /* The facet values of one article (its facets row must be loaded). */
  function docValues(h, ref) {
    var values = cache.values.get(ref);
    if (values) return values;
    var row = cache.rows.facets.get(ref);
    values = { issue: String(issueOf(h, ref)), year: String(row[3]), section: row[1], source: row[2], tag: row.slice(4) };
    cache.values.set(ref, values);
    return values;
  }

  function matchesFilter(h, ref, facet, wanted) {
    if (facet === "issue") return String(issueOf(h, ref)) === wanted;
    var have = docValues(h, ref)[facet];
    return Array.isArray(have) ? have.indexOf(wanted) >= 0 : have === wanted;
  }

  function passes(h, ref, filters) {
    return FACETS.every(function (facet) {
      return filters[facet] === undefined || matchesFilter(h, ref, facet, filters[facet]);
    });
  }

  /* Per facet, the values of the documents that pass every filter but that facet's, with their counts. */
  function facetCounts(h, refs, filters) {
    var active = FACETS.filter(function (f) { return filters[f] !== undefined; }), tallies = {};
    FACETS.forEach(function (facet) { tallies[facet] = new Map(); });
    refs.forEach(function (ref) {
      var failed = null;
      for (var i = 0; i < active.length; i++) {
        if (matchesFilter(h, ref, active[i], filters[active[i]])) continue;
        if (failed !== null) return; // fails two filters: counted nowhere
        failed = active[i];
      }
      var values = docValues(h, ref);
      FACETS.forEach(function (facet) {
        if (failed !== null && failed !== facet) return;
        var have = values[facet], tally = tallies[facet];
        if (Array.isArray(have)) have.forEach(function (x) { if (x !== "") tally.set(x, (tally.get(x) || 0) + 1); });
        else if (have !== "") tally.set(have, (tally.get(have) || 0) + 1);
      });
    });
    var counts = {};
    FACETS.forEach(function (facet) {
      counts[facet] = Array.from(tallies[facet], function (e) { return { value: e[0], label: label(h, facet, e[0]), count: e[1] }; })
        .sort(function (a, b) { return facetOrder(facet, a, b); });
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

  function compacted(h, key, text) {
    return once(cache.compacted, key, function () { return h.tokenizer.compact(text); });
  }

  /* Title and tags of a document, compacted (its meta and facets rows must be loaded). */
  function headings(h, ref) {
    var tags = cache.rows.facets.get(ref).slice(4);
    return [compacted(h, "t" + ref, cache.rows.meta.get(ref)[META_TITLE])].concat(tags.map(function (t) { return h.tokenizer.compact(t); }));
  }

  /* Exactness. A term matched through one token is exact; a term of several tokens (碳市场: 碳市 + 市场)
   * must also occur as written, separators aside, in the title, a tag or the text. */
  function needsCheck(matches, ref) {
    return matches.some(function (term) {
      return !term.get(ref).alts.some(function (a) { return a.tokens.length === 1; });
    });
  }

  function inHeadings(hit, heads) {
    return hit.alts.some(function (a) { return heads.some(function (x) { return x.indexOf(a.compact) >= 0; }); });
  }

  /* Checks refs against their text; resolves with the refs that fail. An article whose title or tags
   * hold every term as written passes without its text. */
  function rejectedOf(h, refs, matches) {
    return Promise.all([load(h, "meta", refs), load(h, "facets", refs)]).then(function () {
      var unsure = refs.filter(function (ref) {
        var heads = headings(h, ref);
        var all = matches.every(function (term) { return inHeadings(term.get(ref), heads); });
        if (all) matches.forEach(function (term) { term.get(ref).title = true; });
        return !all;
      });
      return load(h, "text", unsure).then(function () {
        return unsure.filter(function (ref) {
          var body = compacted(h, "b" + ref, cache.rows.text.get(ref)[1]), heads = headings(h, ref), bad = false;
          matches.forEach(function (term) {
            var hit = term.get(ref), inHeading = inHeadings(hit, heads);
            if (!inHeading && !hit.alts.some(function (a) { return body.indexOf(a.compact) >= 0; })) bad = true;
            hit.title = inHeading;
          });
          return bad;
        });
      });
    });
  }

  function isTitle(matches, ref) {
    return matches.every(function (term) { return term.get(ref).title; });
  }

  /* The order known without scores: title (or tag) hits first, then newer issues. */
  function coarseOrder(h, refs, matches) {
    var byIssue = function (a, b) { return issueOf(h, b) - issueOf(h, a) || a - b; };
    var title = [], body = [];
    refs.forEach(function (ref) { (isTitle(matches, ref) ? title : body).push(ref); });
    return title.sort(byIssue).concat(body.sort(byIssue));
  }

  function hitOf(h, matches, ref) {
    return {
      title: isTitle(matches, ref),
      score: matches.reduce(function (sum, term) {
        return sum + Math.max.apply(null, term.get(ref).alts.map(function (alt) {
          return alt.lists.reduce(function (s, list) { return s + tokenScore(h, list, ref); }, 0);
        }));
      }, 0),
    };
  }

  /* refs[offset, offset + limit) in the final order (title hits, newer issues, then lunr's BM25 score):
   * scores are computed for the (title, issue) groups the window touches only. */
  function window_(h, ordered, matches, offset, limit) {
    var end = Math.min(ordered.length, offset + limit);
    if (offset >= end) return Promise.resolve([]);
    var key = function (ref) { return (isTitle(matches, ref) ? "t" : "b") + issueOf(h, ref); };
    var from = offset, to = end, first = key(ordered[offset]), last = key(ordered[end - 1]);
    while (from > 0 && key(ordered[from - 1]) === first) from--;
    while (to < ordered.length && key(ordered[to]) === last) to++;
    var slice = ordered.slice(from, to);
    return load(h, "meta", slice).then(function () {
      var scores = new Map(), at = new Map();
      slice.forEach(function (ref, i) { scores.set(ref, hitOf(h, matches, ref).score); at.set(ref, i); });
      slice.sort(function (a, b) {
        return (key(a) === key(b) ? 0 : at.get(a) - at.get(b)) || scores.get(b) - scores.get(a) || a - b;
      });
      return slice.slice(offset - from, end - from);
    });
  }

  function result(h, ref, hit) {
    var meta = cache.rows.meta.get(ref), values = docValues(h, ref);
    return {
      url: new URL(meta[META_URL], SITE_ROOT).href, title: meta[META_TITLE], issue: issueOf(h, ref),
      section: values.section, sectionTitle: label(h, "section", values.section), date: meta[META_DATE],
      source: values.source, tags: values.tag, score: hit.score + (hit.title ? 1000 : 0), ref: ref,
    };
  }

  function normalizeFilters(filters) {
    var out = {};
    FACETS.forEach(function (facet) {
      if (filters && filters[facet] !== undefined && filters[facet] !== null && filters[facet] !== "") out[facet] = String(filters[facet]);
    });
    return out;
  }

  /* search(query, filters, {limit, offset, facets}) -> Promise of results best first; the array also carries
   * .total (matches after filters) and .facets ({facet: [{value, label, count}]}; null with facets: false,
   * which saves fetching the facet rows of every match when nothing shows the counts).
   * Small candidate sets (VERIFY_ALL, VERIFY_FILES) are checked for exactness in full; others page by
   * page (a candidate found through bigrams that are not adjacent in its text is dropped as soon as its
   * page is built), so their totals and facet counts may include a few such candidates. */
  function search(query, filters, options) {
    var limit = (options && options.limit) || 50, offset = (options && options.offset) || 0;
    filters = normalizeFilters(filters);
    return head().then(function (h) {
      var terms = parse(h, query);
      if (terms.length === 0) return finish([], 0, facetCounts(h, [], filters));
      return Promise.all(terms.map(function (alts) { return matchTerm(h, alts); })).then(function (matches) {
        var smallest = matches.reduce(function (a, b) { return a.size <= b.size ? a : b; });
        var candidates = Array.from(smallest.keys()).filter(function (ref) {
          return matches.every(function (term) { return term.has(ref); });
        }).sort(function (a, b) { return a - b; });
        var unchecked = candidates.filter(function (ref) { return needsCheck(matches, ref); });
        var all = unchecked.length <= VERIFY_ALL && groups(h, "text", unchecked).size <= VERIFY_FILES;
        var rejected = new Set(), checked = new Set(all ? unchecked : []);
        var upfront = all ? rejectedOf(h, unchecked, matches) : Promise.resolve([]);
        // facet rows of every candidate: for filters other than the issue (known from the id) and counts
        var counting = !(options && options.facets === false);
        var filtering = Object.keys(filters).some(function (f) { return f !== "issue"; });
        var rows = counting || filtering ? load(h, "facets", candidates) : Promise.resolve();
        return Promise.all([upfront, rows]).then(function (both) {
          both[0].forEach(function (ref) { rejected.add(ref); });
          var kept = candidates.filter(function (ref) { return passes(h, ref, filters); });
          function page() {
            var valid = kept.filter(function (ref) { return !rejected.has(ref); });
            return window_(h, coarseOrder(h, valid, matches), matches, offset, limit).then(function (visible) {
              var todo = visible.filter(function (ref) { return !checked.has(ref) && needsCheck(matches, ref); });
              if (todo.length === 0) return visible;
              todo.forEach(function (ref) { checked.add(ref); });
              return rejectedOf(h, todo, matches).then(function (refs) {
                refs.forEach(function (ref) { rejected.add(ref); });
                return page();
              });
            });
          }
          return page().then(function (visible) {
            return load(h, "facets", visible).then(function () { return visible; });
          }).then(function (visible) {
            var valid = function (ref) { return !rejected.has(ref); };
            var results = visible.map(function (ref) { return result(h, ref, hitOf(h, matches, ref)); });
            return finish(results, kept.filter(valid).length, counting ? facetCounts(h, candidates.filter(valid), filters) : null);
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

  /* Where the query occurs in a text: [start, end) ranges of the original text (whole terms, else tokens) */
  function ranges(tk, original, query, synonyms) {
    var kept = [], map = [];
    Array.from(original).reduce(function (offset, ch) {
      var folded = tk.compact(ch);
      for (var i = 0; i < folded.length; i++) { kept.push(folded[i]); map.push([offset, offset + ch.length]); }
      return offset + ch.length;
    }, 0);
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
        found.push([map[at][0], map[at + needle.length - 1][1]]);
      }
    });
    found.sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; });
    return found.filter(function (r, i) { return i === 0 || r[0] >= found[i - 1][1]; });
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
          var refs = Array.from(list.tf.keys());
          return load(h, "meta", refs).then(function () {
            return refs.map(function (ref) {
              var row = list.tf.get(ref);
              return [new URL(cache.rows.meta.get(ref)[META_URL], SITE_ROOT).href, tokenScore(h, list, ref), Boolean(row[0] || row[1])];
            }).sort(function (a, b) { return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0; });
          });
        });
      });
    },
  };
})();
