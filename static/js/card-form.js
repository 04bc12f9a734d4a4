// Card form: saves the card with a SetupIntent (Stripe.js confirmCardSetup),
// then submits the form; the server charges the saved card. When the server
// answers that the bank wants 3-D Secure, confirmCardPayment runs it and the
// form is submitted again with the PaymentIntent id.
(function () {
  const form = document.getElementById('pay-form');
  if (!form || typeof Stripe === 'undefined') return;
  const stripe = Stripe(form.dataset.publishableKey);
  const card = stripe.elements().create('card');
  const mount = document.getElementById('card-element');
  card.mount('#card-element');
  const errors = document.getElementById('card-errors');
  const button = document.getElementById('pay-button');
  // Real Stripe Elements report {empty, complete, error} on change; the local
  // Stripe.js (plain inputs in the page) reports nothing, so its inputs are read.
  let reported = null;
  card.on('change', function (event) { if (event) reported = event; });

  function localInput(name) { return mount.querySelector('input[placeholder=' + name + ']'); }
  const LABELS = {number: 'Card number', exp_month: 'Expiry month (MM)', exp_year: 'Expiry year (YY)',
                  cvc: 'Security code (CVC)', postal_code: 'Billing ZIP code'};
  Object.keys(LABELS).forEach(function (name) {
    const input = localInput(name);
    if (input) { input.setAttribute('aria-label', LABELS[name]); input.setAttribute('aria-describedby', 'card-errors'); }
  });

  // Card numbers are often typed in groups ("4242 4242 ..."): keep the digits only.
  mount.addEventListener('input', function (event) {
    if (event.target === localInput('number')) event.target.value = event.target.value.replace(/[\s-]/g, '');
  }, true);

  function missingCardDetails() {
    if (reported) return reported.empty ? 'Enter your card details.' : '';
    const number = localInput('number');
    if (!number) return '';
    if (!number.value.trim()) return 'Enter your card number.';
    const rest = ['exp_month', 'exp_year', 'cvc'].filter(function (n) { return !localInput(n).value.trim(); });
    return rest.length ? "Enter the card's expiry date and security code (CVC)." : '';
  }

  function fail(message) {
    errors.textContent = message || 'Your card could not be saved. Check the details and try again.';
    mount.classList.add('has-error');
    button.disabled = false;
  }

  function messageOf(error) {
    // A Stripe error (a plain object) carries a message for the shopper; a script error is not for their eyes.
    if (error && !(error instanceof Error) && error.message) return error.message;
    return 'Your card could not be saved. Check the details and try again.';
  }

  async function authenticate(secret) {
    button.disabled = true;
    const result = await stripe.confirmCardPayment(secret);
    if (result.error) return fail(messageOf(result.error));
    form.elements.payment_intent_id.value = result.paymentIntent.id;
    form.submit();
  }

  if (form.dataset.paymentIntentSecret) authenticate(form.dataset.paymentIntentSecret);

  form.addEventListener('submit', async function (event) {
    event.preventDefault();
    if (button.disabled) return;  // one submit at a time
    button.disabled = true;
    const saved = form.querySelector('input[name=card][value=saved]');
    if (saved && saved.checked) { form.submit(); return; }  // card on file: nothing to save
    errors.textContent = '';
    mount.classList.remove('has-error');
    const missing = missingCardDetails();
    if (missing) return fail(missing);
    const result = await stripe.confirmCardSetup(form.dataset.clientSecret, {payment_method: {card: card}});
    if (result.error) return fail(messageOf(result.error));
    form.elements.setup_intent_id.value = result.setupIntent.id;
    form.submit();
  });
})();
