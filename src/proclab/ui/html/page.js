// The report's behaviour: variant tabs, a stepper through each run's checkpoints
// (buttons and the arrow keys), and links from checks and the timeline to a checkpoint.
// Without this script every run and checkpoint is simply shown, one under the other.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var runs = Array.prototype.slice.call(document.querySelectorAll("section.run"));
  var tabs = Array.prototype.slice.call(document.querySelectorAll(".tab"));

  function cpsOf(run) { return Array.prototype.slice.call(run.querySelectorAll("article.cp")); }

  function show(run, index) {
    var cps = cpsOf(run);
    if (!cps.length) { return; }
    index = Math.max(0, Math.min(cps.length - 1, index));
    run.dataset.current = String(index);
    cps.forEach(function (cp, i) { cp.classList.toggle("current", i === index); });
    var where = run.querySelector(".stepper .where");
    if (where) { where.textContent = (index + 1) + " of " + cps.length + ": " + cps[index].dataset.cp; }
    run.querySelector(".prev").disabled = index === 0;
    run.querySelector(".next").disabled = index === cps.length - 1;
    run.querySelectorAll("svg .col").forEach(function (col, i) { col.classList.toggle("current", i === index); });
  }

  function activate(run) {
    runs.forEach(function (r) { r.classList.toggle("active", r === run); });
    tabs.forEach(function (t) {
      var on = t.dataset.tab === run.dataset.run;
      t.classList.toggle("active", on);
      t.setAttribute("aria-selected", on ? "true" : "false");
    });
  }

  function activeRun() { return runs.filter(function (r) { return r.classList.contains("active"); })[0] || runs[0]; }

  function go(target) {          // target: "variant|checkpoint"
    var bar = target.indexOf("|");
    var variant = target.slice(0, bar), name = target.slice(bar + 1);
    var run = runs.filter(function (r) { return r.dataset.run === variant; })[0];
    if (!run) { return false; }
    var index = cpsOf(run).map(function (cp) { return cp.dataset.cp; }).indexOf(name);
    activate(run);
    if (index >= 0) {
      show(run, index);
      var cp = cpsOf(run)[index];
      cp.scrollIntoView({block: "nearest"});
      cp.classList.add("flash");
      setTimeout(function () { cp.classList.remove("flash"); }, 1200);
    }
    return true;
  }

  runs.forEach(function (run) {
    show(run, 0);
    run.querySelector(".prev").addEventListener("click", function () { show(run, +run.dataset.current - 1); });
    run.querySelector(".next").addEventListener("click", function () { show(run, +run.dataset.current + 1); });
  });
  tabs.forEach(function (tab) {
    tab.addEventListener("click", function () {
      activate(runs.filter(function (r) { return r.dataset.run === tab.dataset.tab; })[0]);
    });
  });
  document.querySelectorAll("[data-goto]").forEach(function (el) {
    function follow(ev) { if (go(el.dataset.goto)) { ev.preventDefault(); } }
    el.addEventListener("click", follow);
    el.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { follow(ev); } });
  });
  document.addEventListener("keydown", function (ev) {
    if (ev.altKey || ev.ctrlKey || ev.metaKey || /INPUT|TEXTAREA|SELECT/.test(ev.target.tagName)) { return; }
    var run = activeRun();
    if (!run) { return; }
    if (ev.key === "ArrowRight") { show(run, +run.dataset.current + 1); ev.preventDefault(); }
    if (ev.key === "ArrowLeft") { show(run, +run.dataset.current - 1); ev.preventDefault(); }
  });
  if (runs.length && activeRun() === runs[0]) { activate(runs[0]); }
})();
