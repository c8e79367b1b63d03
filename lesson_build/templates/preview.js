// momentum-lesson preview: added to index.html by the preview server only (never published).
(() => {
  "use strict";
  const STATE = "/__preview/state";
  const box = document.createElement("div");
  box.id = "preview-note";
  box.setAttribute("role", "status");
  box.style.cssText = "position:fixed;top:8px;right:8px;z-index:9999;max-width:min(36rem,90vw);" +
    "background:#1f2937;color:#f9fafb;font:14px/1.4 system-ui,sans-serif;padding:8px 12px;" +
    "border-radius:6px;border:1px solid #4b5563;box-shadow:0 2px 8px #0008";
  const error = document.createElement("pre");
  error.id = "preview-error";
  error.setAttribute("role", "alert");
  error.hidden = true;
  error.style.cssText = "white-space:pre-wrap;max-height:50vh;overflow:auto;margin:8px 0 0;" +
    "color:#fecaca;font:12px/1.35 ui-monospace,monospace";
  const text = document.createElement("div");
  box.append(text, error);
  document.body.append(box);
  let seen = null;
  let shown = null;

  let fading = null;
  function show(state) {
    clearTimeout(fading);
    box.hidden = false;
    if (state.status === "failed") {
      text.textContent = "Preview: the last save broke the build (below); " +
        "the lesson on this page is the last good one.";
      error.textContent = state.error;
      error.hidden = false;
      return;  // stays until a build succeeds
    }
    error.hidden = true;
    if (state.status === "building") {
      text.textContent = "Preview: rebuilding after a save\u2026";
      return;
    }
    text.textContent = state.note || "Preview: up to date.";
    fading = setTimeout(() => { box.hidden = true; }, 8000);  // out of the title's way
  }

  async function seekToChanged(state) {
    const key = "momentum-preview-seeked";
    if (!state.changed.length || sessionStorage.getItem(key) === String(state.generation)) {
      return;
    }
    sessionStorage.setItem(key, String(state.generation));
    const manifest = await (await fetch("manifest.json", {cache: "no-store"})).json();
    const chapter = manifest.chapters.find((entry) => entry.name === state.changed[0]);
    const video = document.getElementById("lesson-video");
    if (!chapter || !video) return;
    const seek = () => {
      video.pause();
      video.currentTime = chapter.start;
      document.documentElement.dataset.previewChapter = chapter.name;
    };
    if (video.readyState >= 1) {
      seek();
    } else {
      video.addEventListener("loadedmetadata", seek, {once: true});
    }
  }

  async function poll() {
    try {
      const state = await (await fetch(STATE, {cache: "no-store"})).json();
      if (seen === null) {
        seen = state.generation;
        if (state.status === "ok") seekToChanged(state);
      } else if (state.generation !== seen && state.status === "ok") {
        location.reload();
        return;
      } else if (state.generation !== seen) {
        seen = state.generation;
      }
      if (state.status + state.generation !== shown) {
        shown = state.status + state.generation;
        show(state);
      }
    } catch (failure) {
      clearTimeout(fading);
      box.hidden = false;
      shown = null;  // shown again in full once it answers
      text.textContent = "Preview: the preview server is not answering.";
    }
    setTimeout(poll, 400);
  }
  poll();
})();
