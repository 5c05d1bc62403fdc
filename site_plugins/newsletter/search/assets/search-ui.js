/* The search UI: the header box on every page and the search page (/search/) with facets.
 * Query and filters live in the page URL (?q=…&section=…); back and forward restore them.
 * Every string from the index or the URL is set with textContent; highlights are <mark> nodes. */
(function () {
  "use strict";
  var engine = window.newsletterSearch;
  var FACETS = engine.facets;
  var PAGE_SIZE = 20;
  var FACET_SHOWN = 30; // facet values listed before "显示全部"

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function metaLine(res) {
    var line = el("span", "nl-search-meta");
    [["第 " + res.issue + " 期"], [res.sectionTitle], [res.date], [res.source]].forEach(function (part) {
      if (part[0]) line.appendChild(el("span", "", part[0]));
    });
    return line;
  }

  /* One search at a time: run() aborts the last one's remaining work (fetches already made still fill
   * the caches), and so does stop(). run() resolves like engine.search; an aborted search never settles. */
  function latest() {
    var controller = null;
    function stop() {
      if (controller) controller.abort();
      controller = null;
    }
    function run(query, filters, options) {
      stop();
      var mine = controller = new AbortController();
      return new Promise(function (resolve, reject) {
        engine.search(query, filters, Object.assign({ signal: mine.signal }, options)).then(function (results) {
          if (!mine.signal.aborted) resolve(results);
        }, function (error) {
          if (!mine.signal.aborted) reject(error);
        });
      });
    }
    return { run: run, stop: stop };
  }

  /* Calls fn once the element comes near the viewport: a snippet fetches the text of its result's issues,
   * so results never scrolled to cost nothing. */
  var pending = new Map();
  var observer = "IntersectionObserver" in window ? new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      if (!entry.isIntersecting) return;
      observer.unobserve(entry.target);
      var fn = pending.get(entry.target);
      pending.delete(entry.target);
      if (fn) fn();
    });
  }, { rootMargin: "200px" }) : null;

  function whenVisible(element, fn) {
    if (!observer) return fn();
    pending.set(element, fn);
    observer.observe(element);
  }

  /* ---------- header box ---------- */
  function headerBox(form) {
    var input = form.querySelector("input"), panel = form.querySelector(".nl-header-search__panel");
    var listbox = panel.querySelector("[role=listbox]"), empty = panel.querySelector(".nl-header-search__empty");
    var all = panel.querySelector(".nl-header-search__all");
    var active = -1, search = latest();

    function options() { return Array.from(listbox.querySelectorAll("[role=option]")); }

    function close() {
      panel.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function show(results, query) {
      listbox.replaceChildren();
      active = -1;
      empty.textContent = results.length ? "" : "没有找到包含“" + query + "”的文章";
      empty.hidden = results.length > 0;
      results.forEach(function (res, i) {
        var link = el("a", "nl-header-search__hit");
        link.href = res.url;
        link.id = "nl-header-hit-" + i;
        link.setAttribute("role", "option");
        link.tabIndex = -1;
        var title = el("span", "nl-header-search__title");
        link.appendChild(title);
        engine.markedTitle(res, query).then(function (span) { title.appendChild(span); });
        link.appendChild(metaLine(res));
        listbox.appendChild(link);
      });
      all.textContent = results.total > results.length ? "查看全部 " + results.total + " 条结果" : "在搜索页中查看";
      all.href = engine.searchPage + "?q=" + encodeURIComponent(query);
      panel.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    // Every keystroke searches at once (no delay: a search is a few milliseconds once its shards are
    // fetched), the previous one abandoned; an input method's composition searches when committed.
    function run(event) {
      if (event && event.isComposing) return;
      var query = input.value.trim();
      if (!query) { search.stop(); return close(); }
      search.run(query, {}, { limit: 8, facets: false }).then(function (results) {
        show(results, query);
      }, function (error) { console.warn(error); });
    }

    function move(delta) {
      var list = options();
      if (list.length === 0) return;
      active = (active + delta + list.length) % list.length;
      list.forEach(function (o, i) { o.setAttribute("aria-selected", String(i === active)); });
      input.setAttribute("aria-activedescendant", list[active].id);
      list[active].scrollIntoView({ block: "nearest" });
    }

    input.addEventListener("input", run);
    input.addEventListener("compositionend", run);
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") { event.preventDefault(); move(1); }
      else if (event.key === "ArrowUp") { event.preventDefault(); move(-1); }
      else if (event.key === "Escape") { close(); }
      else if (event.key === "Enter" && active >= 0) { event.preventDefault(); options()[active].click(); }
    });
    form.addEventListener("focusout", function (event) {
      if (!form.contains(event.relatedTarget)) close();
    });
  }

  /* ---------- search page ---------- */
  function stateFromURL() {
    var params = new URLSearchParams(location.search), state = { q: params.get("q") || "", filters: {} };
    FACETS.forEach(function (f) { if (params.get(f)) state.filters[f] = params.get(f); });
    return state;
  }

  function urlFor(state) {
    var params = new URLSearchParams();
    if (state.q) params.set("q", state.q);
    FACETS.forEach(function (f) { if (state.filters[f]) params.set(f, state.filters[f]); });
    var query = params.toString();
    return location.pathname + (query ? "?" + query : "");
  }

  function searchPage(form) {
    var input = form.querySelector("input[name=q]");
    var status = document.querySelector(".nl-search-status"), list = document.querySelector(".nl-search-list");
    var more = document.querySelector(".nl-search-more"), shown = PAGE_SIZE, state;
    var search = latest(), expanded = {}, drawn = 0;

    /* Shows `next` and adds it to the history once its results are drawn (or the search failed), in a task
     * of its own: pushState can take milliseconds, which would otherwise hold up the search's first fetches
     * or the drawing. A search abandoned for a newer one leaves no history entry. */
    function go(next) {
      return render(next, function () {
        setTimeout(function () { history.pushState(null, "", urlFor(next)); }, 0);
      });
    }

    function facetLink(facet, entry) {
      var selected = state.filters[facet] === entry.value;
      var next = { q: state.q, filters: Object.assign({}, state.filters) };
      if (selected) delete next.filters[facet]; else next.filters[facet] = entry.value;
      var link = el("a", "nl-facet__link" + (selected ? " nl-facet__link--selected" : ""));
      link.href = urlFor(next);
      if (selected) link.setAttribute("aria-current", "true");
      link.appendChild(el("span", "nl-facet__label", entry.label));
      link.appendChild(el("span", "nl-facet__count", String(entry.count)));
      link.addEventListener("click", function (event) { event.preventDefault(); shown = PAGE_SIZE; go(next); });
      return link;
    }

    /* One facet's values: the first FACET_SHOWN (and the chosen one) until the reader asks for all of
     * them (a large archive has hundreds of issues: drawing them all would hold up the next search). */
    function renderFacet(facet, values) {
      var box = document.querySelector('.nl-facet[data-facet="' + facet + '"]');
      var ul = box.querySelector("ul"), button = box.querySelector(".nl-facet__all");
      var shownValues = expanded[facet] || values.length <= FACET_SHOWN ? values : values.filter(function (entry, i) {
        return i < FACET_SHOWN || entry.value === state.filters[facet];
      });
      ul.replaceChildren.apply(ul, shownValues.map(function (entry) {
        var li = el("li");
        li.appendChild(facetLink(facet, entry));
        return li;
      }));
      if (shownValues.length < values.length) {
        if (!button) {
          button = el("button", "nl-facet__all");
          button.type = "button";
          box.appendChild(button);
        }
        button.textContent = "显示全部 " + values.length + " 项";
        button.hidden = false;
        button.onclick = function () {
          expanded[facet] = true;
          renderFacet(facet, values);
          var next = ul.querySelectorAll(".nl-facet__link")[FACET_SHOWN];
          if (next) next.focus();
        };
      } else if (button) {
        button.hidden = true;
      }
      box.hidden = values.length === 0;
      var chosen = ul.querySelector(".nl-facet__link--selected"); // keep the chosen value in the list's view
      if (chosen) ul.scrollTop += chosen.getBoundingClientRect().top - ul.getBoundingClientRect().top;
    }

    function renderFacets(facets) {
      FACETS.forEach(function (facet) { renderFacet(facet, (facets && facets[facet]) || []); });
    }

    /* Snippets not drawn yet belong to the last results: forgotten when a new search starts. */
    function forgetSnippets() {
      if (observer) pending.forEach(function (fn, element) { observer.unobserve(element); });
      pending.clear();
      drawn++;
    }

    function renderResults(results) {
      forgetSnippets();
      var mine = drawn;
      list.replaceChildren();
      results.forEach(function (res) {
        var item = el("li", "nl-search-hit");
        var link = el("a", "nl-search-hit__title");
        link.href = res.url;
        item.appendChild(link);
        engine.markedTitle(res, state.q).then(function (span) { link.appendChild(span); });
        item.appendChild(metaLine(res));
        var query = state.q;
        whenVisible(item, function () {
          engine.snippet(res, query).then(function (p) { if (mine === drawn) item.appendChild(p); }, function (error) { console.warn(error); });
        });
        list.appendChild(item);
      });
    }

    /* Shows the state `next` (else the URL's): results first, then facet counts. whenDrawn() runs once the
     * results (or an error) are drawn; the page title follows in a task of its own, like the history
     * entry (go), so neither holds up the drawing. */
    function render(next, whenDrawn) {
      var drawnThen = function () {
        if (whenDrawn) whenDrawn();
        whenDrawn = null;
        var title = state.q ? state.q + " - 搜索" : null;
        if (title) setTimeout(function () { document.title = title; }, 0);
      };
      state = next && next.q !== undefined ? next : stateFromURL();
      input.value = state.q;
      forgetSnippets();
      if (!state.q.trim()) {
        search.stop();
        status.textContent = "请输入关键词。多个关键词用空格分开，须全部出现。";
        list.replaceChildren();
        renderFacets(null);
        more.hidden = true;
        drawnThen();
        return Promise.resolve();
      }
      status.textContent = "正在搜索…";
      // Results first (without the facet rows of every match), then the same search with facet counts:
      // the engine keeps what the query learnt, so the second call adds only those rows and the counting.
      var shownState = state;
      return search.run(shownState.q, shownState.filters, { limit: shown, facets: false }).then(function (results) {
        status.textContent = results.total
          ? "找到 " + results.total + " 篇包含“" + shownState.q + "”的文章" + (results.total > results.length ? "，显示前 " + results.length + " 篇" : "")
          : "没有找到包含“" + shownState.q + "”的文章";
        renderResults(results);
        more.hidden = results.total <= results.length;
        drawnThen();
        return search.run(shownState.q, shownState.filters, { limit: shown }).then(function (full) {
          renderFacets(full.facets);
        });
      }).catch(function (error) {
        status.textContent = "搜索出错：" + error.message;
        drawnThen();
      });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      shown = PAGE_SIZE;
      go({ q: input.value.trim(), filters: {} });
    });
    more.querySelector("button").addEventListener("click", function () { shown += PAGE_SIZE; render(state); });
    window.addEventListener("popstate", function () { render(); });
    render();
  }

  var header = document.querySelector("[data-nl-header-search]");
  if (header) headerBox(header);
  var page = document.querySelector("[data-nl-search-page]");
  if (page) searchPage(page);
})();
