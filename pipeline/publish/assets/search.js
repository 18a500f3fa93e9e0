// capture mini-site: search every transcript of the cycle, in the browser, from the index
// built at publish time (recherche-index.js: word forms -> French stems -> passages).
// Text is put in the page as text nodes, never as markup.
(function () {
  "use strict";
  var index = window.CAPTURE_SEARCH_INDEX;
  var list = document.getElementById("resultats");
  var status = document.getElementById("resultats-statut");
  var input = document.getElementById("q");
  if (!index || !list || !status || !input) { return; }
  var SHOWN = 100;

  function fold(text) {
    return text.toLowerCase().replace(/œ/g, "oe").replace(/æ/g, "ae")
      .normalize("NFKD").replace(/[\u0300-\u036f]/g, "");
  }
  function words(text) { return text.match(/[\p{L}\p{N}]+/gu) || []; }
  function clock(seconds) {
    var s = Math.floor(seconds), h = Math.floor(s / 3600), m = Math.floor(s % 3600 / 60);
    var two = function (n) { return (n < 10 ? "0" : "") + n; };
    return (h ? h + ":" + two(m) : m) + ":" + two(s % 60);
  }

  // the stems a query word stands for: its own, or those of the forms it begins
  var stopWords = {};
  (index.stop_words || []).forEach(function (w) { stopWords[w] = true; });

  function stemsOf(word) {
    var folded = fold(word);
    if (Object.prototype.hasOwnProperty.call(index.forms, folded)) { return [index.forms[folded]]; }
    if (stopWords[folded] || folded.length < 3) { return null; }  // "les", "de": not searched
    var found = {};
    Object.keys(index.forms).forEach(function (form) {
      if (form.indexOf(folded) === 0) { found[index.forms[form]] = true; }
    });
    return Object.keys(found);
  }

  function search(query) {
    var asked = words(query).map(stemsOf).filter(function (s) { return s !== null; });
    if (!asked.length) { return { passages: [], stems: {}, nothing: true }; }
    var matched = null, stems = {};
    asked.forEach(function (group) {
      var hits = {};
      group.forEach(function (stem) {
        stems[stem] = true;
        (index.stems[stem] || []).forEach(function (n) { hits[n] = true; });
      });
      matched = matched === null ? hits : Object.keys(matched).reduce(function (kept, n) {
        if (hits[n]) { kept[n] = true; } return kept;
      }, {});
    });
    var passages = Object.keys(matched).map(Number).sort(function (a, b) { return a - b; });
    return { passages: passages, stems: stems };
  }

  function isHit(word, stems) {
    var stem = index.forms[fold(word)];
    return stem !== undefined && stems[stem];
  }

  // the sentence of the passage that holds a word searched, its hits marked
  function sentence(text, stems) {
    // sentences, each with its closing mark (no lookbehind: Safari before 16.4 has none)
    var sentences = text.match(/[^.!?…]+(?:[.!?…]+|$)/g) || [text];
    sentences = sentences.map(function (s) { return s.trim(); }).filter(Boolean);
    var chosen = sentences.find(function (s) {
      return words(s).some(function (w) { return isHit(w, stems); });
    }) || sentences[0];
    var fragment = document.createDocumentFragment(), last = 0, match;
    var pattern = /[\p{L}\p{N}]+/gu;
    while ((match = pattern.exec(chosen)) !== null) {
      if (!isHit(match[0], stems)) { continue; }
      fragment.appendChild(document.createTextNode(chosen.slice(last, match.index)));
      var mark = document.createElement("mark");
      mark.textContent = match[0];
      fragment.appendChild(mark);
      last = match.index + match[0].length;
    }
    fragment.appendChild(document.createTextNode(chosen.slice(last)));
    return fragment;
  }

  function show(query) {
    list.textContent = "";
    var found = search(query);
    var sessions = {};
    found.passages.slice(0, SHOWN).forEach(function (n) {
      var p = index.passages[n], session = index.sessions[p[0]];
      sessions[p[0]] = true;
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = session.slug + "/index.html#t=" + p[1];
      link.className = "resultat";
      var where = document.createElement("span");
      where.className = "ou";
      where.textContent = session.title + " · " + session.date_text + " · " + clock(p[1]) +
        (p[2] ? " · " + p[2] : "");
      var quote = document.createElement("span");
      quote.className = "phrase";
      quote.appendChild(sentence(p[3], found.stems));
      link.appendChild(where);
      link.appendChild(quote);
      item.appendChild(link);
      list.appendChild(item);
    });
    found.passages.forEach(function (n) { sessions[index.passages[n][0]] = true; });
    var count = found.passages.length, inSessions = Object.keys(sessions).length;
    status.textContent = count
      ? count + " passage" + (count > 1 ? "s" : "") + " dans " + inSessions + " séance" +
        (inSessions > 1 ? "s" : "") + " pour « " + query + " »" +
        (count > SHOWN ? " (les " + SHOWN + " premiers)" : "") + "."
      : found.nothing ? "Précisez la recherche : « " + query + " » ne contient que des mots trop courants."
      : "Aucun passage ne contient « " + query + " ».";
  }

  var query = new URLSearchParams(window.location.search).get("q");
  if (query) { input.value = query; show(query); }
})();
