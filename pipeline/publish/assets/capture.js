// capture mini-site, the session page:
// - links that seek a player on the page (focus stays on the link, so a keyboard user keeps
//   their place) and bring the player into view (on a wide screen it floats in a corner
//   once its section is scrolled away);
// - the page's own address at a moment (…/slug/#t=12:34) starts the full version there;
// - the transcript follows playback (the paragraph heard is marked; "Suivre la lecture"
//   off stops the scrolling, and so, for a few seconds, does the reader's own scrolling)
//   and can be filtered;
// - chapters and thumbnail previews on a bar under the player, playback speed, a link to
//   share the current moment;
// - captions that still show when the page is opened from a file (browsers refuse <track>
//   files there): the page carries them as WebVTT cue text, escaped like the .vtt file.
(function () {
  "use strict";
  function player(film) { return document.getElementById("video-" + film); }

  function clock(seconds) {
    var s = Math.floor(seconds), h = Math.floor(s / 3600), m = Math.floor(s % 3600 / 60);
    var two = function (n) { return (n < 10 ? "0" : "") + n; };
    return (h ? h + ":" + two(m) : m) + ":" + two(s % 60);
  }

  // "754.2", "12:34", "1:02:03" -> seconds (NaN when it is none of these)
  function parseMoment(text) {
    if (!/^\d+(\.\d+)?$|^\d+(:\d{1,2}){1,2}(\.\d+)?$/.test(text)) { return NaN; }
    return text.split(":").reduce(function (total, part) { return total * 60 + parseFloat(part); }, 0);
  }

  function inView(element) {
    var box = element.getBoundingClientRect();
    return box.top >= 0 && box.bottom <= window.innerHeight;
  }

  var WIDE = window.matchMedia("(min-width: 60em)");

  // on a wide screen the full version's player floats in a corner while its section is
  // scrolled away and the film has been started, so the transcript is read beside it
  function floating(video) {
    var box = video.closest(".suivi"), section = video.closest("section");
    if (!box || !window.IntersectionObserver) { return; }
    var away = false, closed = false;
    var close = box.querySelector(".fermer");
    close.addEventListener("click", function () {
      closed = true; update();
      video.focus();  // the button is gone with the floating player: focus stays near
    });
    video.addEventListener("play", function () { if (!away) { closed = false; } });
    function update() {
      var float = away && WIDE.matches && !closed && (!video.paused || video.currentTime > 0);
      if (float === box.classList.contains("flottant")) { return; }
      section.style.minHeight = float ? section.offsetHeight + "px" : "";
      box.classList.toggle("flottant", float);
    }
    new IntersectionObserver(function (entries) {
      away = !entries[0].isIntersecting; update();
    }).observe(section.querySelector("h2"));
    video.addEventListener("play", update);
    WIDE.addEventListener("change", update);
  }

  function seek(video, seconds, play) {
    video.currentTime = seconds;
    var floats = video.closest(".suivi") && WIDE.matches;
    if (!floats && !inView(video)) {  // a phone: the player is far above the link
      video.scrollIntoView({ block: "start", behavior: "smooth" });
    }
    if (play) {
      var playing = video.play();
      if (playing && playing.catch) { playing.catch(function () {}); }
    }
  }

  document.addEventListener("click", function (event) {
    if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) { return; }
    var link = event.target.closest("[data-seek]");
    if (!link) { return; }
    var video = player(link.getAttribute("data-film"));
    if (!video) { return; }
    event.preventDefault();
    var seconds = parseFloat(link.getAttribute("data-seek"));
    if (link.getAttribute("data-film") === "full" && window.history.replaceState) {
      window.history.replaceState(null, "", "#t=" + clock(seconds));
    }
    seek(video, seconds, true);
  });

  // the page opened at a moment: …/#t=12:34
  function fromAddress() {
    var found = /(?:^#|&)t=([^&]+)/.exec(window.location.hash);
    var video = player("full");
    if (!found || !video) { return; }
    var seconds = parseMoment(decodeURIComponent(found[1]));
    if (isNaN(seconds)) { return; }
    var start = function () { seek(video, Math.min(seconds, video.duration || seconds), true); };
    if (video.readyState >= 1) { start(); } else { video.addEventListener("loadedmetadata", start, { once: true }); }
  }
  window.addEventListener("hashchange", fromAddress);

  // the transcript follows playback
  function follow(video) {
    var section = document.querySelector(".transcription-complete");
    if (!section) { return; }
    var box = section.querySelector(".transcription");
    var links = Array.prototype.slice.call(box.querySelectorAll("a[data-seek]"));
    var starts = links.map(function (a) { return parseFloat(a.getAttribute("data-seek")); });
    var following = section.querySelector(".suivre");
    var current = null, reading = 0;
    // a reader scrolling the transcript themselves is not pulled back for a few seconds
    ["wheel", "touchmove", "keydown", "pointerdown"].forEach(function (kind) {
      box.addEventListener(kind, function () { reading = Date.now(); }, { passive: true });
    });
    // a keyboard user moving through the transcript is never scrolled away from
    var byKeyboard = false;
    document.addEventListener("keydown", function (e) { if (e.key === "Tab") { byKeyboard = true; } });
    document.addEventListener("pointerdown", function () { byKeyboard = false; });
    video.addEventListener("timeupdate", function () {
      var t = video.currentTime, low = 0, high = starts.length - 1, at = -1;
      while (low <= high) {  // the last paragraph started by now
        var middle = (low + high) >> 1;
        if (starts[middle] <= t + 0.05) { at = middle; low = middle + 1; } else { high = middle - 1; }
      }
      var paragraph = at >= 0 ? links[at].parentNode : null;
      if (paragraph === current) { return; }
      if (current) { current.classList.remove("en-cours"); current.firstChild.removeAttribute("aria-current"); }
      current = paragraph;
      if (!current) { return; }
      current.classList.add("en-cours");
      current.firstChild.setAttribute("aria-current", "time");
      var keyboardInside = byKeyboard && box.contains(document.activeElement);
      if (following.checked && !video.paused && !keyboardInside && Date.now() - reading > 4000) {
        box.scrollTop = current.offsetTop - box.offsetTop - box.clientHeight / 3;
      }
    });
    var filter = section.querySelector(".filtre"), said = section.querySelector(".filtre-statut");
    var fold = function (text) {
      return text.toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "");
    };
    filter.addEventListener("input", function () {
      var wanted = fold(filter.value.trim()), shown = 0;
      links.forEach(function (a) {
        var keep = !wanted || fold(a.textContent).indexOf(wanted) >= 0;
        a.parentNode.hidden = !keep;
        shown += keep ? 1 : 0;
      });
      said.textContent = wanted ? shown + " paragraphe" + (shown > 1 ? "s" : "") + " sur " + links.length : "";
    });
  }

  // chapters and thumbnails on the bar under the player
  function chapterBar(bar) {
    var video = player(bar.getAttribute("data-film"));
    var duration = parseFloat(bar.getAttribute("data-duration"));
    var position = bar.querySelector(".position"), preview = bar.querySelector(".apercu");
    var track = Array.prototype.find.call(video.textTracks, function (t) { return t.kind === "metadata"; });
    if (track) { track.mode = "hidden"; }
    video.addEventListener("timeupdate", function () {
      position.style.width = (100 * video.currentTime / duration) + "%";
    });
    function thumbnail(seconds) {
      var cue = track && track.cues && Array.prototype.find.call(track.cues, function (c) {
        return c.startTime <= seconds && seconds < c.endTime;
      });
      var image = preview.querySelector(".image");
      var found = cue && /^(.*)#xywh=(\d+),(\d+),(\d+),(\d+)$/.exec(cue.text.trim());
      image.hidden = !found;
      if (found) {
        var base = video.querySelector("track[kind=metadata]").src;
        image.style.backgroundImage = "url(\"" + new URL(found[1], base).href + "\")";
        image.style.backgroundPosition = "-" + found[2] + "px -" + found[3] + "px";
        image.style.width = found[4] + "px";
        image.style.height = found[5] + "px";
      }
      preview.querySelector(".texte").textContent = clock(seconds);
      preview.style.left = Math.min(100 * seconds / duration, 85) + "%";
      preview.hidden = false;
    }
    bar.addEventListener("mousemove", function (event) {
      var box = bar.getBoundingClientRect();
      thumbnail(Math.max(0, Math.min(1, (event.clientX - box.left) / box.width)) * duration);
    });
    bar.addEventListener("mouseleave", function () { preview.hidden = true; });
    bar.addEventListener("focusin", function (event) {
      var seconds = parseFloat(event.target.getAttribute("data-seek"));
      if (!isNaN(seconds)) { thumbnail(seconds); }
    });
    bar.addEventListener("focusout", function () { preview.hidden = true; });
  }

  Array.prototype.forEach.call(document.querySelectorAll("select.vitesse"), function (select) {
    select.addEventListener("change", function () {
      player(select.getAttribute("data-film")).playbackRate = parseFloat(select.value);
    });
  });

  Array.prototype.forEach.call(document.querySelectorAll("button.partager"), function (button) {
    var output = button.parentNode.querySelector(".lien-partage");
    button.addEventListener("click", function () {
      var video = player(button.getAttribute("data-film"));
      var address = window.location.href.split("#")[0] + "#t=" + clock(video.currentTime);
      output.textContent = address;
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(address).then(function () {
          output.textContent = "Lien copié : " + address;
        }, function () {});
      }
    });
  });

  function embeddedCaptions(video) {
    var data = document.getElementById("sous-titres-" + video.id.replace("video-", ""));
    if (!data || !window.VTTCue) { return; }
    var cues = JSON.parse(data.textContent);
    var track = video.addTextTrack("captions", "Français", "fr");
    cues.forEach(function (c) { track.addCue(new VTTCue(c[0], c[1], c[2])); });
    track.mode = "showing";
  }

  Array.prototype.forEach.call(document.querySelectorAll("video"), function (video) {
    var element = video.querySelector("track[kind=captions]");
    if (!element) { return; }
    if (element.readyState === 3) { embeddedCaptions(video); return; }
    element.addEventListener("error", function () { embeddedCaptions(video); });
  });
  // the gallery: an image opens large in a dialog (Escape closes it, the arrow keys and two
  // buttons go through the others, focus returns to the image it was opened from); without
  // script the link opens the image itself
  function gallery(list) {
    var dialog = document.querySelector("dialog.visionneuse");
    var links = Array.prototype.slice.call(list.querySelectorAll("a.agrandir"));
    if (!dialog || !dialog.showModal || !links.length) { return; }
    var picture = dialog.querySelector("img"), caption = dialog.querySelector("figcaption");
    var position = dialog.querySelector(".position"), current = 0, opener = null;
    function show(index) {
      current = (index + links.length) % links.length;
      var link = links[current], thumbnail = link.querySelector("img");
      var words = link.closest("figure").querySelector("figcaption");
      var credit = words && words.querySelector(".credit");
      picture.src = link.getAttribute("href");
      picture.alt = thumbnail.alt;
      caption.textContent = (words ? words.firstChild.textContent.trim() || thumbnail.alt : thumbnail.alt)
        + (credit ? " " + credit.textContent : "");
      position.textContent = "Image " + (current + 1) + " sur " + links.length + " : " + caption.textContent;
    }
    links.forEach(function (link, index) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        opener = link;
        show(index);
        dialog.showModal();
        dialog.querySelector(".suivante").focus();
      });
    });
    dialog.querySelector(".precedente").addEventListener("click", function () { show(current - 1); });
    dialog.querySelector(".suivante").addEventListener("click", function () { show(current + 1); });
    dialog.querySelector(".fermer").addEventListener("click", function () { dialog.close(); });
    dialog.addEventListener("keydown", function (event) {
      if (event.key === "ArrowLeft") { show(current - 1); event.preventDefault(); }
      if (event.key === "ArrowRight") { show(current + 1); event.preventDefault(); }
    });
    dialog.addEventListener("close", function () { if (opener) { opener.focus(); } });
  }

  Array.prototype.forEach.call(document.querySelectorAll(".galerie"), gallery);
  Array.prototype.forEach.call(document.querySelectorAll(".chapitrage"), chapterBar);
  if (player("full")) { follow(player("full")); floating(player("full")); }
  fromAddress();
})();
