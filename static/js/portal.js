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
