// Small behaviours the content security policy forbids as inline handlers (onsubmit=...).
//   <form data-confirm="Really?">   asks before the form is sent; Cancel keeps the page as is.
//   <select data-submit-on-change>  sends its form when another option is chosen.
document.addEventListener("submit", (event) => {
  const question = event.target.dataset.confirm;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

document.addEventListener("change", (event) => {
  if (event.target.matches("select[data-submit-on-change]")) {
    event.target.form.requestSubmit();
  }
});

// Accessibility (WCAG 2.1 AA): the header's menu on a narrow screen, tables that scroll in
// their own box, focus kept after an htmx swap, and what a swap says read out by #messages.

// The header's menu is open in the markup (usable without JavaScript); on a narrow screen it
// folds behind "Menu", and opens again when the window grows wide.
const narrowScreen = window.matchMedia("(max-width: 640px)");
function fitMenu() {
  const menu = document.querySelector("details.menu");
  if (menu) {
    menu.open = !narrowScreen.matches;
  }
}
narrowScreen.addEventListener("change", fitMenu);

// A table wider than the screen scrolls inside a box of its own instead of the whole page; the
// box, when it scrolls, is a named region a keyboard can reach (Tab, then the arrow keys).
function tableName(table) {
  const caption = table.querySelector("caption");
  if (caption) {
    return caption.textContent.trim();
  }
  const section = table.closest("section, article, .card, main");
  const heading = section && section.querySelector("h1, h2, h3");
  return (heading ? heading.textContent : document.title).trim().replace(/\s+/g, " ");
}

function wrapTables(root) {
  const tables = root.matches && root.matches("table") ? [root] : root.querySelectorAll("table");
  tables.forEach((table) => {
    if (!table.parentElement.classList.contains("table-scroll")) {
      const box = document.createElement("div");
      box.className = "table-scroll";
      table.before(box);
      box.append(table);
    }
  });
  markScrollingTables();
}

function markScrollingTables() {
  document.querySelectorAll(".table-scroll").forEach((box) => {
    if (box.scrollWidth > box.clientWidth) {
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", tableName(box.querySelector("table")));
    } else {
      box.removeAttribute("tabindex");
      box.removeAttribute("role");
      box.removeAttribute("aria-label");
    }
  });
}
window.addEventListener("resize", markScrollingTables);

document.addEventListener("DOMContentLoaded", () => {
  fitMenu();
  wrapTables(document);
  // A form that came back refused: the keyboard starts at its first field to correct.
  const invalid = document.querySelector("[aria-invalid=true]");
  if (invalid) {
    invalid.focus();
  }
});
document.addEventListener("htmx:load", (event) => wrapTables(event.detail.elt));

// Focus after an htmx swap: on the first field a refused form marks invalid, else on the
// element that had it (found again by id, name or text), else on the swapped section's heading.
// Kept per swapped section: two answers arriving together (a row and the notice it asks to
// look again) must not take each other's record.
const focusBeforeSwap = new Map();
document.addEventListener("htmx:beforeSwap", (event) => {
  const focused = document.activeElement || document.body;
  focusBeforeSwap.set(event.detail.target.id, {
    targetId: event.detail.target.id,
    element: focused,
    id: focused.id,
    name: focused.getAttribute("name"),
    tag: focused.tagName,
    text: focused.textContent.trim(),
  });
});

function shown(element) {
  return element.checkVisibility ? element.checkVisibility() : element.offsetParent !== null;
}

function sameElementIn(section, before) {
  if (before.id) {
    const byId = document.getElementById(before.id);
    if (byId && section.contains(byId)) {
      return byId;
    }
  }
  const candidates = section.querySelectorAll(before.tag);
  return Array.from(candidates).find(
    (candidate) =>
      shown(candidate) &&
      (before.name
        ? candidate.getAttribute("name") === before.name
        : candidate.textContent.trim() === before.text),
  );
}

document.addEventListener("htmx:afterSettle", (event) => {
  const targetId = event.detail.target ? event.detail.target.id : event.detail.elt.id;
  const before = focusBeforeSwap.get(targetId);
  focusBeforeSwap.delete(targetId);
  const section = (before && document.getElementById(before.targetId)) || event.detail.elt;
  if (!section || !section.isConnected || section.id === "messages") {
    return;
  }
  announce(section);
  if (!before || before.element === document.body || before.element.isConnected) {
    return; // the focus was not in what was swapped (a poll, say): leave it where it is
  }
  const invalid = Array.from(section.querySelectorAll("[aria-invalid=true]")).find(shown);
  if (invalid) {
    invalid.focus();
    return;
  }
  const again = sameElementIn(section, before);
  const heading = section.querySelector("h1, h2, h3, h4");
  if (again) {
    again.focus();
  } else if (heading) {
    heading.setAttribute("tabindex", "-1");
    heading.focus();
  } else {
    section.setAttribute("tabindex", "-1");
    section.focus();
  }
});

// What a swap says ("Saved", a conflict, a form's errors) is read out by the page's one live
// region, #messages: a copy for screen readers, as the section shows it already.
function announce(section) {
  const live = document.getElementById("messages");
  if (!live) {
    return;
  }
  live.querySelectorAll(".announcement").forEach((old) => old.remove());
  const said = Array.from(section.querySelectorAll(".saved, .message, .errorlist"))
    .filter((element) => !element.closest("#messages, [role=alert]"))
    .map((element) => element.textContent.trim().replace(/\s+/g, " "))
    .filter(Boolean);
  if (said.length) {
    const announcement = document.createElement("p");
    announcement.className = "announcement visually-hidden";
    announcement.textContent = said.join(" ");
    live.append(announcement);
  }
}
