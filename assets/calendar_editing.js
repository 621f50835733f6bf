/* The agenda's drag-to-move, drag-to-resize and keyboard shortcuts.
 *
 * The page stays the server's: while dragging, the block is only shifted on screen
 * (a CSS transform); on drop the move is handed to the portal's state through a
 * hidden button (#cal-drop-bridge), which asks for confirmation and makes the one
 * service call. `vaCalendar.settle()` (sent by the server afterwards) removes the
 * shift, so the block shows where the server draws it. Keys go the same way
 * through #cal-key-bridge. Phones (coarse pointers, narrow screens) do not drag:
 * they use the appointment's "Reprogramar" dialog.
 */
(function () {
  if (window.vaCalendar) return;

  var PX_PER_MINUTE = 1.5;
  var SNAP = 15;
  var THRESHOLD = 4;
  var drag = null;
  var justDragged = false;

  function onAgenda() {
    return /^\/agenda\/?$/.test(window.location.pathname);
  }

  function canDrag() {
    return window.innerWidth >= 768 && !window.matchMedia("(pointer: coarse)").matches;
  }

  function clock(minutes) {
    var m = ((minutes % 1440) + 1440) % 1440;
    return Math.floor(m / 60) + ":" + String(m % 60).padStart(2, "0");
  }

  function columnAt(x, y) {
    var found = document.elementsFromPoint(x, y);
    for (var i = 0; i < found.length; i++) {
      var el = found[i];
      if (el.dataset && el.dataset.column !== undefined && el.dataset.day) return el;
    }
    return null;
  }

  function label(text) {
    if (!drag.label) {
      drag.label = document.createElement("div");
      drag.label.className = "va-drag-label";
      drag.block.appendChild(drag.label);
    }
    drag.label.textContent = text;
  }

  function onDown(event) {
    if (event.button !== 0 || !onAgenda() || !canDrag()) return;
    var block = event.target.closest && event.target.closest(".va-block[data-movable='true']");
    if (!block) return;
    var column = block.closest("[data-column]");
    if (!column) return;
    drag = {
      block: block,
      column: column,
      target: column,
      resize: event.target.classList.contains("va-resize"),
      x: event.clientX,
      y: event.clientY,
      minutes: 0,
      started: false,
      height: block.style.height,
      start: parseInt(block.dataset.startMinute || "0", 10),
      end: parseInt(block.dataset.endMinute || "0", 10),
      label: null,
    };
  }

  function onMove(event) {
    if (!drag) return;
    var dx = event.clientX - drag.x;
    var dy = event.clientY - drag.y;
    if (!drag.started) {
      if (Math.abs(dx) < THRESHOLD && Math.abs(dy) < THRESHOLD) return;
      drag.started = true;
      drag.block.classList.add("va-dragging");
    }
    event.preventDefault();
    drag.minutes = Math.round(dy / PX_PER_MINUTE / SNAP) * SNAP;
    var shiftY = drag.minutes * PX_PER_MINUTE;
    if (drag.resize) {
      var length = Math.max(drag.end - drag.start + drag.minutes, SNAP);
      drag.minutes = length - (drag.end - drag.start);
      drag.block.style.height = Math.max(length * PX_PER_MINUTE - 2, 16) + "px";
      label(clock(drag.start) + "–" + clock(drag.end + drag.minutes));
      return;
    }
    var target = columnAt(event.clientX, event.clientY) || drag.target;
    drag.target = target;
    var shiftX = target.getBoundingClientRect().left - drag.column.getBoundingClientRect().left;
    drag.block.style.transform = "translate(" + shiftX + "px, " + shiftY + "px)";
    label(clock(drag.start + drag.minutes) + "–" + clock(drag.end + drag.minutes));
  }

  function onUp() {
    if (!drag) return;
    var done = drag;
    drag = null;
    if (!done.started) return;
    justDragged = true;
    setTimeout(function () {
      justDragged = false;
    }, 0);
    var moved = done.minutes !== 0 || done.target !== done.column;
    if (!moved) {
      reset(done.block, done.height);
      return;
    }
    done.block.dataset.dragHeight = done.height;
    window.vaCalendarDrop = JSON.stringify({
      id: done.block.dataset.appointmentId,
      minutes: done.minutes,
      day: done.target.dataset.day,
      doctor: done.target.dataset.doctor || done.block.dataset.doctor || "",
      resize: done.resize,
    });
    var bridge = document.getElementById("cal-drop-bridge");
    if (bridge) bridge.click();
  }

  function reset(block, height) {
    block.style.transform = "";
    if (height !== undefined) block.style.height = height;
    block.classList.remove("va-dragging");
    var shown = block.querySelector(".va-drag-label");
    if (shown) shown.remove();
  }

  function settle() {
    document.querySelectorAll(".va-block.va-dragging").forEach(function (block) {
      reset(block, block.dataset.dragHeight);
      delete block.dataset.dragHeight;
    });
  }

  function typing(target) {
    if (!target) return false;
    var tag = (target.tagName || "").toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }

  function onKey(event) {
    if (!onAgenda() || event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target)) return;
    if (document.querySelector("[role='dialog'], [role='alertdialog']")) return;
    var keys = ["d", "s", "e", "E", "l", "t", "ArrowLeft", "ArrowRight"];
    if (keys.indexOf(event.key) < 0) return;
    var bridge = document.getElementById("cal-key-bridge");
    if (!bridge) return;
    event.preventDefault();
    window.vaCalendarKey = event.key;
    bridge.click();
  }

  document.addEventListener("pointerdown", onDown, true);
  document.addEventListener("pointermove", onMove, true);
  document.addEventListener("pointerup", onUp, true);
  document.addEventListener(
    "click",
    function (event) {
      var onBlock = event.target.closest && event.target.closest(".va-block");
      if (justDragged && onBlock) {
        event.stopPropagation();
        event.preventDefault();
      }
    },
    true
  );
  document.addEventListener("keydown", onKey);
  window.vaCalendar = { settle: settle };
})();
