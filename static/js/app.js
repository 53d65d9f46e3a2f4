// The project's own behaviour; no inline scripts in templates (Content-Security-Policy).
document.addEventListener("change", (event) => {
  if (event.target.matches("select[data-autosubmit]")) event.target.form.submit();
});

// The sidebar collapses on wide screens (the choice is remembered); below 992 px it is an off-canvas panel.
const SIDEBAR_KEY = "sidebar-collapsed";
const applySidebar = (collapsed) => {
  document.body.classList.toggle("sidebar-collapsed", collapsed);
  document.querySelectorAll("[data-sidebar-toggle]").forEach((b) => b.setAttribute("aria-expanded", String(!collapsed)));
};
applySidebar(localStorage.getItem(SIDEBAR_KEY) === "1");
document.addEventListener("click", (event) => {
  if (!event.target.closest("[data-sidebar-toggle]")) return;
  const collapsed = !document.body.classList.contains("sidebar-collapsed");
  localStorage.setItem(SIDEBAR_KEY, collapsed ? "1" : "0");
  applySidebar(collapsed);
});
