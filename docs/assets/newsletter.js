// Material fetches "sitemap.xml" next to every <link rel="alternate"> it finds when the page loads (it
// takes them for language versions), so a section feed at sections/<key>/feed.xml costs a 404 and a
// console error. Feed readers discover feeds from the served HTML, which keeps rel="alternate"; in the
// live page the feed links become rel="alternate feed", which Material's exact [rel=alternate] skips.
// This runs before DOMContentLoaded, when Material first looks.
document.querySelectorAll('link[rel="alternate"][type="application/atom+xml"]').forEach(function (link) {
  link.setAttribute("rel", "alternate feed");
});

// Material wraps wide tables in a scrolling box; make that box reachable and scrollable by keyboard
// (WCAG 2.1.1) and name it for screen readers. Runs after every page load, also with instant navigation.
document$.subscribe(function () {
  document.querySelectorAll(".md-typeset__scrollwrap").forEach(function (box) {
    box.setAttribute("tabindex", "0");
    box.setAttribute("role", "region");
    box.setAttribute("aria-label", "表格（可左右滚动）");
  });
});
