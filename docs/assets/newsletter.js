// Material wraps wide tables in a scrolling box; make that box reachable and scrollable by keyboard
// (WCAG 2.1.1) and name it for screen readers. Runs after every page load, also with instant navigation.
document$.subscribe(function () {
  document.querySelectorAll(".md-typeset__scrollwrap").forEach(function (box) {
    box.setAttribute("tabindex", "0");
    box.setAttribute("role", "region");
    box.setAttribute("aria-label", "表格（可左右滚动）");
  });
});
