// The buyer's page: copy buttons, the deadline in the buyer's own time zone with a
// countdown, and the order's status, read every 5 s while it can still change. The page
// works without this script; it only adds to it.
(() => {
  const main = document.querySelector("main[data-token]");
  if (!main) return;
  const lang = document.documentElement.lang;

  for (const button of document.querySelectorAll("button[data-copy]")) {
    button.hidden = false;
    const label = button.textContent;
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(button.dataset.copy);
        button.textContent = button.dataset.done;
        setTimeout(() => { button.textContent = label; }, 2000);
      } catch (_) { /* the text stays on the page to select by hand */ }
    });
  }

  const expires = Number(main.dataset.expires);
  const deadline = document.querySelector("time[data-testid=pay-deadline]");
  if (deadline) {
    deadline.textContent = new Date(expires).toLocaleString(lang, { dateStyle: "medium", timeStyle: "short" });
  }
  const left = document.querySelector("[data-testid=pay-countdown]");
  const two = (n) => String(n).padStart(2, "0");
  const tick = () => {
    if (!left) return;
    const seconds = Math.max(0, Math.floor((expires - Date.now()) / 1000));
    const h = Math.floor(seconds / 3600);
    const clock = (h ? h + ":" : "") + two(Math.floor((seconds % 3600) / 60)) + ":" + two(seconds % 60);
    left.textContent = "(" + main.dataset.left.replace("{{ time }}", clock) + ")";
  };
  tick();
  setInterval(tick, 1000);

  const status = main.dataset.status;
  if (!["pending_payment", "paid", "processing"].includes(status)) return;
  const follow = async () => {
    try {
      const answer = await fetch("/pay/v1/" + encodeURIComponent(main.dataset.token), { cache: "no-store" });
      const body = answer.ok ? await answer.json() : null;
      // A new status draws the page anew, from the server, in the buyer's language.
      if (!answer.ok && answer.status === 404) { location.reload(); return; }
      if (body && body.ok && body.data.status !== status) { location.reload(); return; }
    } catch (_) { /* offline for a moment: try again */ }
    setTimeout(follow, 5000);
  };
  setTimeout(follow, 5000);
})();
