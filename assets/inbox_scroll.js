// The inbox loads its next page by itself when the list is scrolled to its end:
// whenever the "Cargar más" button (#load-more) shows inside the list's own
// scroll area, it is clicked, at most once every 800 ms (a page is 50 rows).
(function () {
  if (window.__vaInboxScroll) return;
  window.__vaInboxScroll = true;
  var last = 0;
  setInterval(function () {
    var button = document.getElementById("load-more");
    var list = document.getElementById("conversation-list");
    if (!button || !list || button.disabled) return;
    var now = Date.now();
    if (now - last < 800) return;
    var shown = list.getBoundingClientRect();
    var at = button.getBoundingClientRect();
    if (shown.height > 0 && at.top < shown.bottom + 40 && at.bottom > shown.top) {
      last = now;
      button.click();
    }
  }, 250);
})();
