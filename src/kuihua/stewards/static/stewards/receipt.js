// The receipt's print button (no inline script under the Content-Security-Policy):
//   <button data-print>  opens the browser's print dialog; the print CSS keeps only the receipt.
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});
