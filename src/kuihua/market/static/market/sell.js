// The sale form on a phone: − and ＋ change the quantity (never below 1), and the
// "who pays in points" part shows only when 爱心积分 is chosen. Without script the
// quantity is typed and the part stays visible.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-step]");
  if (!button) return;
  const input = document.getElementById(button.dataset.for);
  const value = (parseInt(input.value, 10) || 0) + parseInt(button.dataset.step, 10);
  input.value = Math.max(1, value);
});
function showBuyer() {
  const part = document.querySelector("[data-points-only]");
  if (!part) return;
  const chosen = document.querySelector('input[name="method"]:checked');
  part.hidden = !chosen || chosen.value !== "points";
}
document.addEventListener("change", (event) => {
  if (event.target.name === "method") showBuyer();
});
document.addEventListener("DOMContentLoaded", showBuyer);
