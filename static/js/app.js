// The project's own behaviour; no inline scripts in templates (Content-Security-Policy).
document.addEventListener("change", (event) => {
  if (event.target.matches("select[data-autosubmit]")) event.target.form.submit();
});
