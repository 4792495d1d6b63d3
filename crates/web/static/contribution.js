// The contribution form: while the title and the description are typed, lists the published
// practices that look alike, so that nobody writes again what already exists. The list is an
// aria-live region; without JavaScript the form's "check" button renders the same list.
"use strict";
(function () {
  const form = document.querySelector("form[data-similar]");
  if (!form) return;
  const region = document.getElementById("similar");
  const list = document.getElementById("similar-list");
  const intro = document.getElementById("similar-intro");
  const none = document.getElementById("similar-none");
  const field = (name) => form.elements.namedItem(name);
  let timer = null;
  let asked = "";

  function show(hits) {
    list.replaceChildren();
    for (const h of hits) {
      const li = document.createElement("li");
      const a = document.createElement("a");
      a.href = "/pratiques/" + encodeURIComponent(h.id) + (h.slug ? "/" + encodeURIComponent(h.slug) : "");
      a.textContent = h.title;
      li.appendChild(a);
      if (h.institution) {
        const span = document.createElement("span");
        span.className = "institution";
        span.textContent = " — " + h.institution;
        li.appendChild(span);
      }
      list.appendChild(li);
    }
    intro.hidden = hits.length === 0;
    if (none) none.hidden = hits.length !== 0;
    region.dataset.count = String(hits.length);
  }

  async function ask() {
    const title = field("title") ? field("title").value : "";
    const text = [field("objectives"), field("description")]
      .filter(Boolean)
      .map((f) => f.value)
      .join("\n");
    const language = field("language") ? field("language").value : form.dataset.language || "fr";
    const params = new URLSearchParams({ title: title, text: text, language: language });
    const query = params.toString();
    if (query === asked) return;
    asked = query;
    if (!title.trim() && !text.trim()) {
      show([]);
      return;
    }
    try {
      const r = await fetch("/api/v1/practices/similar?" + query, { headers: { Accept: "application/json" } });
      if (!r.ok || query !== asked) return;
      const body = await r.json();
      if (query === asked) show(body.hits || []);
    } catch (e) {
      // Offline or refused: the list stays as it was; the "check" button still works.
    }
  }

  form.addEventListener("input", (ev) => {
    const name = ev.target && ev.target.name;
    if (name !== "title" && name !== "description" && name !== "objectives") return;
    clearTimeout(timer);
    timer = setTimeout(ask, 400);
  });
})();
