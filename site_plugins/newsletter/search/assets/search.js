/* The search engine in the browser: window.newsletterSearch.search(query, filters[, options]).
 * Loads search/data/manifest.json once, then only the lunr shards of the query's tokens (lunr.js 2.3.9
 * loads each), the metadata blocks of the results it returns and, for exactness and snippets, the text
 * of single articles. Layout and scoring: site_plugins/newsletter/search/index.py. Needs lunr.js and
 * tokenizer.js loaded first. Nothing from the index reaches innerHTML: snippets are built from text
 * nodes and <mark> elements created here. */
(function () {
  "use strict";
  var script = document.currentScript;
  var SITE_ROOT = new URL("../../", script.src);
  var DATA = new URL("search/data/", SITE_ROOT);
  var FIELDS = ["title", "tags", "body"]; // index.py FIELDS; title and tags hits rank first
  var VERIFY_ALL = 30; // up to this many candidates are all checked for exactness, more page by page
  var FACETS = ["section", "issue", "year", "tag", "source"];

  var cache = { manifest: null, shards: new Map(), lookups: new Map(), meta: new Map(), text: new Map() };

  function getJSON(url) {
    return fetch(url).then(function (response) {
      if (!response.ok) throw new Error("search: " + response.status + " for " + url);
      return response.json();
    });
  }

  function getText(url) {
    return fetch(url).then(function (response) {
      if (!response.ok) throw new Error("search: " + response.status + " for " + url);
      return response.text();
    });
  }

  function once(map, key, load) {
    if (!map.has(key)) map.set(key, load());
    return map.get(key);
  }

  function manifest() {
    if (!cache.manifest) {
      cache.manifest = getJSON(new URL("manifest.json", DATA)).then(function (m) {
        m.tokenizer = NewsletterTokenizer.createTokenizer(m.fold);
        return m;
      });
    }
    return cache.manifest;
  }

  /* A compact shard in lunr's serialized schema, each field vector padded to the article's whole
   * vector length (see index.py to_lunr: the twin of this function). */
  function toLunr(shard, m) {
    var inverted = [], vectors = new Map();
    shard.terms.forEach(function (term, termIndex) {
      var posting = { _index: termIndex };
      FIELDS.forEach(function (f) { posting[f] = {}; });
      var flat = shard.postings[termIndex];
      for (var i = 0; i < flat.length; i += 3) {
        var ref = flat[i], field = flat[i + 1], key = FIELDS[field] + "/" + ref;
        posting[FIELDS[field]][ref] = {};
        if (!vectors.has(key)) vectors.set(key, { ref: ref, field: field, elements: [] });
        vectors.get(key).elements.push(termIndex, flat[i + 2] / 1000);
      }
      inverted.push([term, posting]);
    });
    var padIndex = inverted.length, fieldVectors = [];
    vectors.forEach(function (v, key) {
      var sum = 0;
      for (var i = 1; i < v.elements.length; i += 2) sum += v.elements[i] * v.elements[i];
      var whole = m.docs[v.ref][4 + v.field] / 1000; // manifest row: [issue, section, source, tags, |field|…]
      var rest = whole * whole - sum;
      if (rest > 1e-9) v.elements.push(padIndex, Math.sqrt(rest));
      fieldVectors.push([key, v.elements]);
    });
    return { version: lunr.version, fields: FIELDS, fieldVectors: fieldVectors, invertedIndex: inverted, pipeline: [] };
  }

  function shard(m, number) {
    return once(cache.shards, number, function () {
      return getJSON(new URL("shards/" + number + ".json", DATA)).then(function (data) {
        return lunr.Index.load(toLunr(data, m));
      });
    });
  }

  /* Documents holding one token: Map ref -> {score, title}. The score is what lunr's Index#query gives a
   * one-term query (the field vectors' cosine, summed over fields), read straight from the lunr index that
   * lunr.Index.load built: lunr's query machinery (token-set intersection, match data for every document)
   * costs far more than the arithmetic when a bigram occurs in thousands of articles. */
  function lookup(m, token) {
    return once(cache.lookups, token, function () {
      return shard(m, NewsletterTokenizer.shardOf(token, m.shards)).then(function (index) {
        var found = new Map(), posting = index.invertedIndex[token];
        if (!posting) return found;
        FIELDS.forEach(function (field) {
          Object.keys(posting[field] || {}).forEach(function (ref) {
            var vector = index.fieldVectors[field + "/" + ref];
            var at = vector.positionForIndex(posting._index);
            var score = vector.elements[at + 1] / vector.magnitude();
            var id = Number(ref), seen = found.get(id);
            if (!seen) found.set(id, seen = { score: 0, title: false });
            seen.score += score;
            seen.title = seen.title || field !== "body";
          });
        });
        return found;
      });
    });
  }

  function intersect(a, b) {
    var out = new Map();
    a.forEach(function (hit, ref) {
      var other = b.get(ref);
      if (other) out.set(ref, { score: hit.score + other.score, title: hit.title && other.title });
    });
    return out;
  }

  /* The query as terms (all required), each a list of alternatives (the term and its synonyms). */
  function parse(m, query) {
    var tk = m.tokenizer;
    return String(query || "").split(/\s+/).filter(Boolean).map(function (term) {
      return tk.expand(term, m.synonyms).map(function (text) {
        return { text: text, tokens: tk.queryTokens(text), compact: tk.compact(text) };
      }).filter(function (alt) { return alt.tokens.length > 0; });
    }).filter(function (alternatives) { return alternatives.length > 0; });
  }

  /* Map ref -> {score, title, alternatives: [alt…]} for one alternative list */
  function matchTerm(m, alternatives) {
    return Promise.all(alternatives.map(function (alt) {
      return Promise.all(alt.tokens.map(function (t) { return lookup(m, t); })).then(function (maps) {
        return { alt: alt, hits: maps.reduce(intersect) };
      });
    })).then(function (perAlt) {
      var merged = new Map();
      perAlt.forEach(function (entry) {
        entry.hits.forEach(function (hit, ref) {
          var seen = merged.get(ref);
          if (!seen) merged.set(ref, seen = { score: 0, title: false, alts: [] });
          seen.score = Math.max(seen.score, hit.score);
          seen.title = seen.title || hit.title;
          seen.alts.push(entry.alt);
        });
      });
      return merged;
    });
  }

  function docValues(m, ref) {
    var row = m.docs[ref], issue = m.issues[row[0]];
    return {
      issue: String(issue[0]), year: issue[1].slice(0, 4), section: m.sections[row[1]][0],
      source: row[2] >= 0 ? m.sources[row[2]] : "", tag: row[3].map(function (t) { return m.tags[t]; }),
    };
  }

  function passes(values, filters, except) {
    return FACETS.every(function (facet) {
      var wanted = filters[facet];
      if (facet === except || wanted === undefined || wanted === null || wanted === "") return true;
      var have = values[facet];
      return Array.isArray(have) ? have.indexOf(String(wanted)) >= 0 : have === String(wanted);
    });
  }

  function facetCounts(m, refs, filters) {
    var counts = {};
    FACETS.forEach(function (facet) {
      var tally = new Map();
      refs.forEach(function (ref) {
        var values = docValues(m, ref);
        if (!passes(values, filters, facet)) return;
        [].concat(values[facet]).forEach(function (v) { if (v !== "") tally.set(v, (tally.get(v) || 0) + 1); });
      });
      counts[facet] = Array.from(tally, function (e) { return { value: e[0], label: label(m, facet, e[0]), count: e[1] }; })
        .sort(function (a, b) { return facetOrder(facet, a, b); });
    });
    return counts;
  }

  function label(m, facet, value) {
    if (facet === "section") {
      var section = m.sections.find(function (s) { return s[0] === value; });
      return section ? section[1] : value;
    }
    if (facet === "issue") return "第 " + value + " 期";
    if (facet === "year") return value + " 年";
    return value;
  }

  function facetOrder(facet, a, b) {
    if (facet === "issue" || facet === "year") return Number(b.value) - Number(a.value);
    return b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0);
  }

  function text(ref) {
    return once(cache.text, ref, function () {
      return getText(new URL("text/" + ref + ".txt", DATA)).then(function (raw) {
        var lines = raw.split("\n"); // title, tags, then the text (index.py SearchDoc.fields)
        return { title: lines[0], tags: (lines[1] || "").split("\t"), body: lines.slice(2).join("\n") };
      });
    });
  }

  /* Exactness. A term matched through one token is exact; a term of several tokens (碳市场: 碳市 + 市场)
   * must also occur as written, separators aside, in the title, a tag or the text. */
  function needsCheck(matches, ref) {
    return matches.some(function (term) {
      return !term.get(ref).alts.some(function (a) { return a.tokens.length === 1; });
    });
  }

  /* Checks refs against their text; resolves with the refs that fail. */
  function rejectedOf(m, refs, matches) {
    var tk = m.tokenizer;
    return Promise.all(refs.map(function (ref) { return text(ref).then(function (t) { return [ref, t]; }); }))
      .then(function (texts) {
        var rejected = [];
        texts.forEach(function (entry) {
          var ref = entry[0], body = tk.compact(entry[1].body);
          var headings = [entry[1].title].concat(entry[1].tags).map(tk.compact);
          matches.forEach(function (term) {
            var hit = term.get(ref);
            var inHeading = hit.alts.some(function (a) { return headings.some(function (h) { return h.indexOf(a.compact) >= 0; }); });
            var inBody = hit.alts.some(function (a) { return body.indexOf(a.compact) >= 0; });
            if (!inHeading && !inBody) rejected.push(ref);
            hit.title = inHeading;
          });
        });
        return rejected;
      });
  }

  function metaBlock(m, ref) {
    var number = Math.floor(ref / m.block);
    return once(cache.meta, number, function () {
      return getJSON(new URL("meta/" + number + ".json", DATA));
    }).then(function (block) { return block[ref % m.block]; });
  }

  function result(m, ref, hit) {
    return metaBlock(m, ref).then(function (meta) {
      var values = docValues(m, ref);
      return {
        url: new URL(meta[0], SITE_ROOT).href, title: meta[1], issue: Number(values.issue),
        section: values.section, sectionTitle: label(m, "section", values.section), date: meta[2],
        source: meta[3], tags: values.tag, score: hit.score + (hit.title ? 1000 : 0), ref: ref,
      };
    });
  }

  function normalizeFilters(filters) {
    var out = {};
    FACETS.forEach(function (facet) {
      if (filters && filters[facet] !== undefined && filters[facet] !== null && filters[facet] !== "") out[facet] = String(filters[facet]);
    });
    return out;
  }

  /* search(query, filters, {limit, offset}) -> Promise of results best first; the array also carries
   * .total (matches after filters) and .facets ({facet: [{value, label, count}]}).
   * Small candidate sets are checked for exactness in full; large ones page by page (a candidate found
   * through bigrams that are not adjacent in its text is dropped as soon as its page is built), so
   * totals and facet counts of very large result sets may include a few such candidates. */
  function search(query, filters, options) {
    var limit = (options && options.limit) || 50, offset = (options && options.offset) || 0;
    filters = normalizeFilters(filters);
    return manifest().then(function (m) {
      var terms = parse(m, query);
      if (terms.length === 0) return finish([], 0, facetCounts(m, [], filters));
      return Promise.all(terms.map(function (alts) { return matchTerm(m, alts); })).then(function (matches) {
        var candidates = Array.from(matches[0].keys()).filter(function (ref) {
          return matches.every(function (term) { return term.has(ref); });
        });
        var unchecked = candidates.filter(function (ref) { return needsCheck(matches, ref); });
        var rejected = new Set();
        var upfront = unchecked.length <= VERIFY_ALL ? rejectedOf(m, unchecked, matches) : Promise.resolve([]);
        return upfront.then(function (refs) {
          refs.forEach(function (ref) { rejected.add(ref); });
          var checked = new Set(unchecked.length <= VERIFY_ALL ? unchecked : []);
          var kept = candidates.filter(function (ref) { return passes(docValues(m, ref), filters); });
          var ranked = rank(m, kept, matches);
          function page() {
            var visible = ranked.filter(function (ref) { return !rejected.has(ref); }).slice(offset, offset + limit);
            var todo = visible.filter(function (ref) { return !checked.has(ref) && needsCheck(matches, ref); });
            if (todo.length === 0) return Promise.resolve(visible);
            visible.forEach(function (ref) { metaBlock(m, ref).catch(function () {}); }); // fetched while checking
            todo.forEach(function (ref) { checked.add(ref); });
            return rejectedOf(m, todo, matches).then(function (refs) {
              refs.forEach(function (ref) { rejected.add(ref); });
              return page();
            });
          }
          return page().then(function (visible) {
            var valid = function (ref) { return !rejected.has(ref); };
            var facets = facetCounts(m, candidates.filter(valid), filters);
            return Promise.all(rank(m, visible, matches).map(function (ref) { return result(m, ref, hitOf(matches, ref)); }))
              .then(function (results) { return finish(results, kept.filter(valid).length, facets); });
          });
        });
      });
    });
  }

  function hitOf(matches, ref) {
    var hits = matches.map(function (term) { return term.get(ref); });
    return {
      title: hits.every(function (h) { return h.title; }),
      score: hits.reduce(function (s, h) { return s + h.score; }, 0),
    };
  }

  /* Title (or tag) hits first, then newer issues, then lunr's score. */
  function rank(m, refs, matches) {
    var keyed = refs.map(function (ref) {
      var hit = hitOf(matches, ref);
      return { ref: ref, title: hit.title ? 1 : 0, issue: m.issues[m.docs[ref][0]][0], score: hit.score };
    });
    keyed.sort(function (a, b) {
      return (b.title - a.title) || (b.issue - a.issue) || (b.score - a.score) || (a.ref - b.ref);
    });
    return keyed.map(function (k) { return k.ref; });
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
    return Promise.all([manifest(), text(res.ref)]).then(function (both) {
      var m = both[0], body = both[1].body.replace(/\s*\n\s*/g, " ");
      var all = ranges(m.tokenizer, body, query, m.synonyms);
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
  }

  /* title(result, query) -> a <span> with the title, matches marked. */
  function markedTitle(res, query) {
    return manifest().then(function (m) {
      return highlight(document.createElement("span"), res.title, ranges(m.tokenizer, res.title, query, m.synonyms));
    });
  }

  window.newsletterSearch = {
    search: search, snippet: snippet, markedTitle: markedTitle, facets: FACETS,
    searchPage: new URL("search/", SITE_ROOT).href,
  };
})();
