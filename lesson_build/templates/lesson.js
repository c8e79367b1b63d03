// The lesson page's behaviour (inlined into index.html). Plain ES2017, no dependencies;
// ids and classes as in index.html.
(function () {
  "use strict";
  var video = document.getElementById("lesson-video");
  if (!video) { return; }
  var captionsEl = document.getElementById("lesson-captions");
  var chaptersEl = document.getElementById("lesson-chapters");
  var line = document.getElementById("caption-line");
  var toggle = document.getElementById("caption-toggle");
  var list = document.getElementById("chapter-list");
  var chapterCues = [];

  function isFullscreen() {
    var el = document.fullscreenElement || document.webkitFullscreenElement;
    return el === video || (el && el.contains && el.contains(video)) ||
      video.webkitDisplayingFullscreen;
  }

  // On the page the native captions are hidden (still loaded, still firing cuechange): the
  // line beneath the video shows them, so nothing in the picture is covered. In full screen
  // there is no line beneath, so the native rendering takes over.
  function syncCaptionMode() {
    if (!captionsEl) { return; }
    var wanted = isFullscreen() ? "showing" : "hidden";
    if (captionsEl.track.mode !== wanted) { captionsEl.track.mode = wanted; }
  }

  function cueText(cue) {
    try {
      var frag = cue.getCueAsHTML();
      var box = document.createElement("div");
      box.appendChild(frag);
      return box.textContent;
    } catch (e) {
      return (cue.text || "").replace(/<[^>]*>/g, "");
    }
  }

  function showActiveCues() {
    if (!captionsEl || !line) { return; }
    var cues = captionsEl.track.activeCues;
    var texts = [];
    for (var i = 0; cues && i < cues.length; i++) { texts.push(cueText(cues[i])); }
    var text = texts.join("\n");
    if (line.textContent !== text) { line.textContent = text; }
  }

  if (captionsEl) {
    syncCaptionMode();
    captionsEl.track.addEventListener("cuechange", showActiveCues);
    video.addEventListener("seeked", showActiveCues);
  }
  document.addEventListener("fullscreenchange", syncCaptionMode);
  document.addEventListener("webkitfullscreenchange", syncCaptionMode);
  video.addEventListener("webkitbeginfullscreen", function () {
    if (captionsEl) { captionsEl.track.mode = "showing"; }
  });
  video.addEventListener("webkitendfullscreen", syncCaptionMode);

  if (toggle && line) {
    toggle.addEventListener("click", function () {
      var on = toggle.getAttribute("aria-pressed") !== "true";
      toggle.setAttribute("aria-pressed", on ? "true" : "false");
      line.hidden = !on;
    });
  }

  function formatTime(s) {
    s = Math.max(0, Math.floor(s));
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    var ss = (sec < 10 ? "0" : "") + sec;
    if (h) { return h + ":" + (m < 10 ? "0" : "") + m + ":" + ss; }
    return m + ":" + ss;
  }

  function seekTo(seconds) {
    // A tiny nudge past the boundary, so the frame shown (and the highlight) is the chapter's own.
    var end = isFinite(video.duration) ? video.duration : seconds + 0.001;
    video.currentTime = Math.min(seconds + 0.001, end);
  }

  function buttons() { return list ? list.querySelectorAll("button.chapter") : []; }

  function highlight() {
    var t = video.currentTime, items = buttons(), current = -1;
    for (var i = 0; i < items.length; i++) {
      var start = parseFloat(items[i].getAttribute("data-start"));
      if (t + 0.01 >= start) { current = i; }
    }
    for (var j = 0; j < items.length; j++) {
      if (j === current) { items[j].setAttribute("aria-current", "true"); }
      else { items[j].removeAttribute("aria-current"); }
    }
  }

  // Rebuild the chapter list from the chapters track's cues (the track is the source of truth;
  // the list written from the manifest stands in until it loads, or if it never does).
  function buildChapterList() {
    if (!chaptersEl || !list) { return; }
    var cues = chaptersEl.track.cues;
    if (!cues || !cues.length) { return; }
    chapterCues = [];
    list.textContent = "";
    for (var i = 0; i < cues.length; i++) {
      var cue = cues[i];
      chapterCues.push(cue);
      var li = document.createElement("li");
      var b = document.createElement("button");
      b.type = "button";
      b.className = "chapter";
      b.setAttribute("data-start", cue.startTime.toFixed(3));
      var time = document.createElement("span");
      time.className = "chapter-time";
      time.textContent = formatTime(cue.startTime);
      var title = document.createElement("span");
      title.className = "chapter-title";
      title.textContent = cueText(cue).trim() || ("Chapter " + (i + 1));
      b.appendChild(time);
      b.appendChild(title);
      li.appendChild(b);
      list.appendChild(li);
    }
    list.setAttribute("data-source", "track");
    highlight();
  }

  if (chaptersEl) {
    chaptersEl.track.mode = "hidden";  // a chapters track loads its cues only when not disabled
    if (chaptersEl.readyState === 2) { buildChapterList(); }
    chaptersEl.addEventListener("load", buildChapterList);
  }

  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target.closest("button[data-start]") : null;
    if (!target) { return; }
    seekTo(parseFloat(target.getAttribute("data-start")));
    if (!target.classList.contains("chapter")) {
      video.scrollIntoView({ block: "center" });
      video.focus({ preventScroll: true });
      var p = video.play();
      if (p && p.catch) { p.catch(function () {}); }
    }
  });

  video.addEventListener("timeupdate", highlight);
  video.addEventListener("seeking", highlight);
  video.addEventListener("seeked", highlight);
  highlight();
})();
