// Card form: saves the card with a SetupIntent (Stripe.js confirmCardSetup),
// then submits the form; the server charges the saved card. When the server
// answers that the bank wants 3-D Secure, confirmCardPayment runs it and the
// form is submitted again with the PaymentIntent id.
(function () {
  const form = document.getElementById('pay-form');
  if (!form || typeof Stripe === 'undefined') return;
  const stripe = Stripe(form.dataset.publishableKey);
  const card = stripe.elements().create('card');
  card.mount('#card-element');
  const errors = document.getElementById('card-errors');
  const button = document.getElementById('pay-button');

  function fail(message) {
    errors.textContent = message || 'Your card could not be saved.';
    button.disabled = false;
  }

  async function authenticate(secret) {
    button.disabled = true;
    const result = await stripe.confirmCardPayment(secret);
    if (result.error) return fail(result.error.message);
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
    const result = await stripe.confirmCardSetup(form.dataset.clientSecret, {payment_method: {card: card}});
    if (result.error) return fail(result.error.message);
    form.elements.setup_intent_id.value = result.setupIntent.id;
    form.submit();
  });
})();
