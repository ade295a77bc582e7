// Presales board keys (served from 'self'; CSP allows no inline script):
// j / ArrowDown and k / ArrowUp move between cards of a column, h / ArrowLeft and
// l / ArrowRight between columns, "a" focuses the card's assign picker, Enter opens the card.
(function () {
  "use strict";
  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    var board = document.querySelector("[data-presales-board]");
    if (!board) return;
    var card = event.target.closest && event.target.closest("[data-board-card]");
    var columns = Array.prototype.slice.call(board.querySelectorAll("[data-board-column]"));
    var key = event.key;
    if (!card) {
      if (key === "j" || key === "ArrowDown") {
        var first = board.querySelector("[data-board-card]");
        if (first) { event.preventDefault(); first.focus(); }
      }
      return;
    }
    var column = card.closest("[data-board-column]");
    var cards = Array.prototype.slice.call(column.querySelectorAll("[data-board-card]"));
    var index = cards.indexOf(card);
    var next = null;
    if (key === "j" || key === "ArrowDown") next = cards[index + 1];
    else if (key === "k" || key === "ArrowUp") next = cards[index - 1];
    else if (key === "h" || key === "ArrowLeft" || key === "l" || key === "ArrowRight") {
      var step = (key === "h" || key === "ArrowLeft") ? -1 : 1;
      for (var c = columns.indexOf(column) + step; c >= 0 && c < columns.length; c += step) {
        var target = columns[c].querySelectorAll("[data-board-card]");
        if (target.length) { next = target[Math.min(index, target.length - 1)]; break; }
      }
    } else if (key === "a") {
      next = card.querySelector("[data-assign-select]");
    } else if (key === "Enter" && event.target === card) {
      var link = card.querySelector("[data-card-link]");
      if (link) { event.preventDefault(); link.click(); }
      return;
    }
    if (next) { event.preventDefault(); next.focus(); }
  });
})();
