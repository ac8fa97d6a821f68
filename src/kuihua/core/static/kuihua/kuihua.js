// Small behaviours that templates once wrote inline (onchange=, onclick=): the
// Content-Security-Policy runs no inline script, so they live here, by data attribute.
//   <select data-submit-on-change>   submits its form when the choice changes
//   <button data-confirm="问题？">    asks before it submits; "cancel" stops it
document.addEventListener("change", (event) => {
  const field = event.target.closest("[data-submit-on-change]");
  if (field && field.form) field.form.submit();
});
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) event.preventDefault();
});
