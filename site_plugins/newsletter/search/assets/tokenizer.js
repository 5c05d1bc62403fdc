/* The search tokenizer, mirroring site_plugins/newsletter/search/tokenizer.py step by step
 * (its docstring is the specification; tests/fixtures/tokenizer_vectors.json is shared by both tests).
 * createTokenizer(fold) takes the traditional -> simplified table {from: "…", to: "…"} (fold.json). */
(function (root) {
  "use strict";
  var HAN = "\\u3400-\\u4dbf\\u4e00-\\u9fff\\u{20000}-\\u{2ffff}";
  var RUN = new RegExp("[" + HAN + "]+|[a-z0-9]+", "gu");
  var HAN_RUN = new RegExp("^[" + HAN + "]+$", "u");

  function createTokenizer(fold) {
    var table = new Map();
    var from = Array.from(fold.from), to = Array.from(fold.to);
    for (var i = 0; i < from.length; i++) table.set(from[i], to[i]);
    // one pass of the regular expression engine over the text finds the characters to fold
    var folding = from.length ? new RegExp("[" + from.map(function (c) {
      return "\\u{" + c.codePointAt(0).toString(16) + "}";
    }).join("") + "]", "gu") : null;
    var fold1 = function (c) { return table.get(c); };

    function normalize(text) {
      var normal = String(text).normalize("NFKC").toLowerCase();
      return folding ? normal.replace(folding, fold1) : normal;
    }

    function runs(text) {
      return normalize(text).match(RUN) || [];
    }

    function runTokens(run) {
      if (!HAN_RUN.test(run)) return [run];
      var chars = Array.from(run), out = [chars[0]];
      for (var i = 1; i < chars.length; i++) out.push(chars[i - 1] + chars[i], chars[i]);
      return out;
    }

    function tokens(text) {
      var out = [];
      runs(text).forEach(function (run) { out.push.apply(out, runTokens(run)); });
      return out;
    }

    function queryTokens(term) {
      var found = [];
      runs(term).forEach(function (run) {
        var chars = Array.from(run), pieces = [];
        if (HAN_RUN.test(run) && chars.length > 1) {
          for (var i = 0; i < chars.length - 1; i++) pieces.push(chars[i] + chars[i + 1]);
        } else {
          pieces.push(run);
        }
        pieces.forEach(function (p) { if (found.indexOf(p) < 0) found.push(p); });
      });
      return found;
    }

    function compact(text) {
      return runs(text).join("");
    }

    function expand(term, synonyms) {
      var key = compact(term), alternatives = [term];
      (synonyms || []).forEach(function (group) {
        if (!group.some(function (m) { return compact(m) === key; })) return;
        group.forEach(function (m) {
          if (compact(m) !== key && alternatives.indexOf(m) < 0) alternatives.push(m);
        });
      });
      return alternatives;
    }

    return { normalize: normalize, tokens: tokens, queryTokens: queryTokens, compact: compact, expand: expand };
  }

  function shardOf(token, shards) {
    var value = 0x811c9dc5;
    for (var ch of token) {
      value ^= ch.codePointAt(0);
      value = Math.imul(value, 0x01000193) >>> 0;
    }
    return value % shards;
  }

  var api = { createTokenizer: createTokenizer, shardOf: shardOf };
  if (typeof module === "object" && module.exports) module.exports = api;
  else root.NewsletterTokenizer = api;
})(this);
