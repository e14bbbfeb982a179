// Behaviour shared by every page. The Content-Security-Policy forbids inline
// scripts and on*= attributes, so markup asks for behaviour with data attributes.
"use strict";

// <select data-autosubmit>: choosing an option submits its form (language, acting membership).
document.addEventListener("change", (event) => {
  const select = event.target.closest("select[data-autosubmit]");
  if (select && select.form) select.form.submit();
});

// <form data-confirm="question">: ask before a destructive submit.
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-confirm]");
  if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
});
