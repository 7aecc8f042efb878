// Keeps the public signature count live (the page shows the number without JavaScript too), and
// its label in the right grammatical number ("1 resident has signed"; the page gives both forms).
const counter = document.getElementById('live-count');
const label = document.getElementById('live-count-label');
const plurals = new Intl.PluralRules(document.documentElement.lang || 'en');
if (counter && counter.dataset.countUrl) {
  const refresh = async () => {
    try {
      const response = await fetch(counter.dataset.countUrl, { headers: { Accept: 'application/json' } });
      if (response.ok) {
        const { count } = await response.json();
        if (String(count) !== counter.textContent) {
          counter.textContent = String(count);
          if (label) {
            const form = plurals.select(Number(count)) === 'one' ? label.dataset.labelOne : label.dataset.labelOther;
            if (form) label.textContent = form;
          }
        }
      }
    } catch {
      // Offline for a moment: keep the last number shown.
    }
  };
  setInterval(refresh, 2000);
}
