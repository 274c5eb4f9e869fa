// Holdfast chat widget: <script src="https://chat.example/widget.js" async></script>
// Adds a launcher button that opens the chat page in an iframe. The embedding site must be
// listed in ALLOWED_ORIGINS, which the chat page's frame-ancestors policy enforces. A site
// that signs its customers in adds data-customer-id and data-customer-signature (hex
// HMAC-SHA256 of the id under CUSTOMER_SIGNING_SECRET, made on its server), and optionally
// data-customer-name: they go to the chat page in the URL's fragment, never to a server log.
(() => {
  const script = document.currentScript;
  if (!script || window.__holdfastWidget) return;
  window.__holdfastWidget = true;
  const origin = new URL(script.src).origin;
  const lang = script.dataset.lang || navigator.language || "en";
  const zh = lang.toLowerCase().startsWith("zh");
  const label = zh ? "在线客服" : "Chat with support";
  const closeLabel = zh ? "关闭客服窗口" : "Close support chat";

  const button = document.createElement("button");
  button.type = "button";
  button.textContent = label;
  button.setAttribute("aria-expanded", "false");
  button.setAttribute("aria-controls", "holdfast-chat-frame");
  Object.assign(button.style, {
    position: "fixed", right: "20px", bottom: "20px", zIndex: "2147483000", padding: "12px 18px",
    borderRadius: "24px", border: "0", background: "#1f5fbf", color: "#fff", font: "600 15px system-ui, sans-serif",
    boxShadow: "0 4px 14px rgba(0,0,0,.2)", cursor: "pointer",
  });

  let frame = null;
  const narrow = () => window.matchMedia("(max-width: 480px)").matches;
  function open() {
    if (!frame) {
      frame = document.createElement("iframe");
      frame.id = "holdfast-chat-frame";
      frame.title = label;
      const who = new URLSearchParams();
      if (script.dataset.customerId && script.dataset.customerSignature) {
        who.set("customer", script.dataset.customerId);
        who.set("signature", script.dataset.customerSignature);
        if (script.dataset.customerName) who.set("name", script.dataset.customerName);
      }
      frame.src = `${origin}/?embed=1&lang=${encodeURIComponent(zh ? "zh-CN" : "en")}${who.size ? `#${who}` : ""}`;
      frame.allow = "clipboard-write";
      document.body.append(frame);
    }
    Object.assign(frame.style, narrow()
      ? { position: "fixed", inset: "0", width: "100%", height: "100%", border: "0", zIndex: "2147483001" }
      : { position: "fixed", right: "20px", bottom: "80px", width: "380px", height: "560px", maxHeight: "calc(100vh - 100px)",
          border: "0", borderRadius: "12px", boxShadow: "0 8px 30px rgba(0,0,0,.25)", zIndex: "2147483001" });
    frame.hidden = false;
    button.textContent = closeLabel;
    button.setAttribute("aria-expanded", "true");
    if (narrow()) button.style.zIndex = "2147483002";
  }
  function close() {
    if (frame) frame.hidden = true;
    button.textContent = label;
    button.setAttribute("aria-expanded", "false");
    button.focus();
  }
  button.addEventListener("click", () => (frame && !frame.hidden ? close() : open()));
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && frame && !frame.hidden) close();
  });
  const mount = () => document.body.append(button);
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
