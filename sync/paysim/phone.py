"""The "customer phone": the page a payment app would show after scanning the QR code.

Plain HTML and a little JS, large buttons, readable on a phone or a second browser
tab. It stands in for a third-party payment app, so it is not part of the kiosk's
gettext catalogs; it speaks Japanese with English beside it, as such apps do.
"""

PHONE_PAGE = """<!doctype html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>PaySim</title>
<style>
  body { font-family: "BIZ UDPGothic", "Noto Sans CJK JP", sans-serif; margin: 0;
         background: #f4f6f8; color: #111; }
  main { max-width: 28rem; margin: 0 auto; padding: 1.5rem; }
  h1 { font-size: 1.4rem; margin: 0 0 1rem; }
  .card { background: #fff; border-radius: 1rem; padding: 1.5rem; box-shadow: 0 1px 4px #0002; }
  .merchant { font-size: 1.3rem; }
  .amount { font-size: 3rem; font-weight: bold; margin: 1rem 0; }
  .description { font-size: 1.1rem; color: #333; }
  .status { font-size: 1.4rem; margin: 1.5rem 0; min-height: 2rem; }
  button { display: block; width: 100%; font-size: 1.6rem; padding: 1.2rem; margin: 1rem 0;
           border: 0; border-radius: 0.8rem; cursor: pointer; }
  #pay { background: #d0021b; color: #fff; }
  #decline { background: #e0e0e0; color: #111; }
  button:disabled { opacity: 0.4; }
</style>
</head>
<body>
<main>
  <h1>PaySim お支払い / Payment</h1>
  <div class="card">
    <div class="merchant" id="merchant">…</div>
    <div class="amount" id="amount"></div>
    <div class="description" id="description"></div>
    <div class="status" id="status" role="status" aria-live="polite"></div>
    <button id="pay" disabled>支払う / Pay</button>
    <button id="decline" disabled>支払わない / Decline</button>
  </div>
</main>
<script>
const code = location.pathname.split("/").filter(Boolean).pop();
const texts = {
  CREATED: "", COMPLETED: "お支払いが完了しました / Paid",
  FAILED: "お支払いをやめました / Declined", EXPIRED: "期限切れです / Expired",
  CANCELED: "取り消されました / Cancelled", REFUNDED: "返金されました / Refunded",
};
const yen = new Intl.NumberFormat("ja-JP", { style: "currency", currency: "JPY" });
function show(info) {
  document.getElementById("merchant").textContent = info.merchant;
  document.getElementById("amount").textContent = yen.format(info.amount);
  document.getElementById("description").textContent = info.description;
  document.getElementById("status").textContent = texts[info.status] ?? info.status;
  const open = info.status === "CREATED";
  document.getElementById("pay").disabled = !open;
  document.getElementById("decline").disabled = !open;
}
function fail(message) {
  document.getElementById("status").textContent = message;
}
async function call(method, suffix) {
  try {
    const r = await fetch(`/pay/${code}${suffix}`, { method });
    const body = await r.json();
    if (r.ok) { show(body); } else { fail(body.message || "エラー / Error"); load(); }
  } catch (e) {
    fail("通信できません / No connection");
  }
}
function load() { return call("GET", "/info"); }
document.getElementById("pay").addEventListener("click", () => {
  document.getElementById("pay").disabled = true; call("POST", "/approve"); });
document.getElementById("decline").addEventListener("click", () => {
  document.getElementById("decline").disabled = true; call("POST", "/decline"); });
load();
</script>
</body>
</html>
"""


def waiting_page(merchant: str, waiting: list[tuple[str, int, str, int]]) -> str:
    """The list of payments waiting now: (code id, yen, description, seconds left)."""
    from html import escape

    rows = "".join(
        f'<li><a class="pay" href="/pay/{escape(code)}">¥{amount:,} — {escape(description)}'
        f' <small>({max(0, left) // 60}:{max(0, left) % 60:02d})</small></a></li>'
        for code, amount, description, left in waiting
    ) or '<li id="none">お支払い待ちはありません / Nothing waiting to be paid</li>'
    return f"""<!doctype html>
<html lang="ja"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="3">
<title>PaySim</title>
<style>
  body {{ font-family: "BIZ UDPGothic", "Noto Sans CJK JP", sans-serif; margin: 0; background: #f4f6f8; }}
  main {{ max-width: 36rem; margin: 0 auto; padding: 1.5rem; }}
  li {{ font-size: 1.4rem; margin: 1rem 0; list-style: none; }}
  a.pay {{ display: block; background: #fff; padding: 1rem; border-radius: .8rem; color: #111;
           text-decoration: none; box-shadow: 0 1px 4px #0002; }}
</style></head>
<body><main>
<h1>PaySim — {escape(merchant)}</h1>
<p>お支払い待ち / Waiting to be paid (タップして支払う / tap to pay):</p>
<ul>{rows}</ul>
</main></body></html>
"""
