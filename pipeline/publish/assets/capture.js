// capture mini-site: links that seek a player on the page (focus stays on the link, so a
// keyboard user keeps their place), and captions that still show when the page is opened
// from a file (browsers refuse <track> files there): the page carries them as WebVTT cue
// text, escaped like the .vtt file.
(function () {
  "use strict";
  function player(film) { return document.getElementById("video-" + film); }

  document.addEventListener("click", function (event) {
    if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) { return; }
    var link = event.target.closest("a[data-seek]");
    if (!link) { return; }
    var video = player(link.getAttribute("data-film"));
    if (!video) { return; }
    event.preventDefault();
    video.currentTime = parseFloat(link.getAttribute("data-seek"));
    var playing = video.play();
    if (playing && playing.catch) { playing.catch(function () {}); }
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
})();
