// Keeps the public signature count live (the page shows the number without JavaScript too).
const counter = document.getElementById('live-count');
if (counter && counter.dataset.countUrl) {
  const refresh = async () => {
    try {
      const response = await fetch(counter.dataset.countUrl, { headers: { Accept: 'application/json' } });
      if (response.ok) {
        const { count } = await response.json();
        if (String(count) !== counter.textContent) counter.textContent = String(count);
      }
    } catch {
      // Offline for a moment: keep the last number shown.
    }
  };
  setInterval(refresh, 2000);
}
